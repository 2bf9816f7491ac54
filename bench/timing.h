// The benchmarks' clock: the median of a function's runs, in milliseconds.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace edgelog::bench {

template <typename Fn>
double median_ms(int runs, Fn&& fn) {
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace edgelog::bench

// Stack trace parsing for each supported format.
#include <doctest/doctest.h>

#include "edgelog/ingest/passes/stack.h"

using edgelog::parse_stack;

TEST_CASE("V8 / Node") {
  auto p = parse_stack(
      "TypeError: Cannot read properties of undefined (reading 'id')\n"
      "    at getUser (/app/src/users.js:42:13)\n"
      "    at async Promise.all (index 0)\n"
      "    at new Handler (/app/src/handler.3f2a1b9c.js:7:5)\n"
      "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)\n"
      "    at node:internal/process/task_queues:95:5\n"
      "    at https://shop.example.com/static/js/main.8f3e2a1c.js:2:1337");
  CHECK(p.format == "v8");
  CHECK(p.exception_type == "TypeError");
  CHECK(p.exception_value == "Cannot read properties of undefined (reading 'id')");
  REQUIRE(p.frames.size() == 6);
  CHECK(p.frames[0].function == "getUser");
  CHECK(p.frames[0].module == "src/users.js");
  CHECK(p.frames[0].line == 42);
  CHECK(p.frames[0].in_app);
  CHECK(p.frames[2].function == "Handler");
  CHECK(p.frames[2].module == "src/handler.js");  // the build hash is not part of the module
  CHECK_FALSE(p.frames[3].in_app);                // node_modules
  CHECK_FALSE(p.frames[4].in_app);                // node internals
  CHECK(p.frames[5].module == "js/main.js");
  CHECK(p.frames[5].line == 2);
}

TEST_CASE("Firefox / Safari") {
  auto p = parse_stack("render@https://app.example.com/static/app.js:10:5\n@https://app.example.com/static/app.js:20:1\nfn@[native code]");
  CHECK(p.format == "gecko");
  REQUIRE(p.frames.size() == 2);
  CHECK(p.frames[0].function == "render");
  CHECK(p.frames[0].line == 10);
  CHECK(p.frames[1].function == "<anonymous>");
}

TEST_CASE("Python tracebacks, innermost frame first") {
  auto p = parse_stack(
      "Traceback (most recent call last):\n"
      "  File \"/usr/lib/python3.11/threading.py\", line 1045, in _bootstrap\n"
      "    self._bootstrap_inner()\n"
      "  File \"/app/orders/views.py\", line 42, in checkout\n"
      "    total = compute(cart)\n"
      "  File \"/app/venv/lib/python3.11/site-packages/decimal_ext/core.py\", line 7, in compute\n"
      "    raise ValueError('bad cart')\n"
      "ValueError: bad cart");
  CHECK(p.format == "python");
  CHECK(p.exception_type == "ValueError");
  CHECK(p.exception_value == "bad cart");
  REQUIRE(p.frames.size() == 3);
  CHECK(p.frames[0].function == "compute");
  CHECK_FALSE(p.frames[0].in_app);
  CHECK(p.frames[1].function == "checkout");
  CHECK(p.frames[1].module == "orders/views.py");
  CHECK(p.frames[1].in_app);
  CHECK_FALSE(p.frames[2].in_app);
}

TEST_CASE("Java / Kotlin") {
  auto p = parse_stack(
      "java.lang.NullPointerException: Cannot invoke \"String.length()\"\n"
      "\tat com.shop.orders.OrderService.total(OrderService.java:42)\n"
      "\tat com.shop.orders.OrderController.checkout(OrderController.kt:17)\n"
      "\tat java.base/java.lang.Thread.run(Thread.java:833)\n"
      "Caused by: java.io.IOException: closed\n"
      "\tat com.shop.Other.x(Other.java:1)");
  CHECK(p.format == "java");
  CHECK(p.exception_type == "java.lang.NullPointerException");
  REQUIRE(p.frames.size() == 3);
  CHECK(p.frames[0].module == "com.shop.orders.OrderService");
  CHECK(p.frames[0].function == "total");
  CHECK(p.frames[0].line == 42);
  CHECK(p.frames[0].in_app);
  CHECK_FALSE(p.frames[2].in_app);
}

TEST_CASE("Go panics") {
  auto p = parse_stack(
      "panic: runtime error: invalid memory address or nil pointer dereference\n"
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a2b1c]\n"
      "\n"
      "goroutine 1 [running]:\n"
      "main.(*Server).handle(0xc000010000, {0x5c1e40, 0xc000112000})\n"
      "\t/app/server.go:42 +0x1d\n"
      "net/http.HandlerFunc.ServeHTTP(0x0?, {0x5c1e40?, 0xc000112000?}, 0x0?)\n"
      "\t/usr/local/go/src/net/http/server.go:2136 +0x29\n"
      "github.com/acme/lib.Do(...)\n"
      "\t/root/go/pkg/mod/github.com/acme/lib@v1.2.3/do.go:10 +0x3");
  CHECK(p.format == "go");
  CHECK(p.exception_type == "panic");
  REQUIRE(p.frames.size() == 3);
  CHECK(p.frames[0].function == "main.(*Server).handle");
  CHECK(p.frames[0].line == 42);
  CHECK(p.frames[0].in_app);
  CHECK_FALSE(p.frames[1].in_app);  // stdlib
  CHECK_FALSE(p.frames[2].in_app);  // module cache
}

TEST_CASE(".NET") {
  auto p = parse_stack(
      "System.NullReferenceException: Object reference not set to an instance of an object.\n"
      "   at Shop.Orders.OrderService.Total(Cart cart) in /src/Orders/OrderService.cs:line 42\n"
      "   at Shop.Web.Controllers.HomeController.Index() in /src/Web/HomeController.cs:line 17\n"
      "   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.Execute()");
  CHECK(p.format == "dotnet");
  CHECK(p.exception_type == "System.NullReferenceException");
  REQUIRE(p.frames.size() == 3);
  CHECK(p.frames[0].module == "Shop.Orders.OrderService");
  CHECK(p.frames[0].function == "Total");
  CHECK(p.frames[0].line == 42);
  CHECK(p.frames[0].in_app);
  CHECK_FALSE(p.frames[2].in_app);
}

TEST_CASE("exception types are recognised, sentences are not") {
  CHECK(edgelog::exception_type_of("Uncaught TypeError: x") == "TypeError");
  CHECK(edgelog::exception_type_of("Error: upstream failed") == "Error");
  CHECK(edgelog::exception_type_of("KeyError") == "KeyError");
  CHECK(edgelog::exception_type_of("Note: nothing happened") == "");
  CHECK(edgelog::exception_type_of("disk full") == "");
}

TEST_CASE("the same trace from a rebuilt deploy parses to the same frames but for lines") {
  auto a = parse_stack("Error: x\n    at f (/app/a.1a2b3c4d.js:10:1)\n    at g (/app/b.js:20:2)");
  auto b = parse_stack("Error: x\n    at f (/app/a.9f8e7d6c.js:12:1)\n    at g (/app/b.js:23:2)");
  REQUIRE(a.frames.size() == 2);
  REQUIRE(b.frames.size() == 2);
  for (int i = 0; i < 2; ++i) {
    CHECK(a.frames[i].module == b.frames[i].module);
    CHECK(a.frames[i].function == b.frames[i].function);
  }
}

TEST_CASE("library paths are recognized wherever their marker sits in the path") {
  for (std::string_view m : {"node_modules/", "site-packages/", "dist-packages/", "/vendor/", "/usr/lib/python",
                             "/usr/local/lib/python", "/lib/python3", "/usr/local/go/src/", "/usr/lib/go",
                             "/pkg/mod/", "/rustc/", "/.cargo/registry/", "webpack/bootstrap"}) {
    CAPTURE(m);
    std::string marker(m);
    CHECK_FALSE(edgelog::is_in_app(marker, "f"));
    CHECK_FALSE(edgelog::is_in_app("/app/x" + marker + "y.js", "f"));
    CHECK_FALSE(edgelog::is_in_app("a/b" + marker, "f"));
    CHECK(edgelog::is_in_app("/app/x" + marker.substr(0, marker.size() - 1) + "_y.js", "f"));
  }
  CHECK(edgelog::is_in_app("/srv/app/src/orders.js", "handler"));
  CHECK(edgelog::is_in_app("no_slash.py", "f"));
}

TEST_CASE("the common libraries of each ecosystem are not in-app, the application's frames are") {
  auto java = parse_stack(
      "java.lang.IllegalStateException: cart is empty\n"
      "\tat com.shop.orders.CartService.checkout(CartService.java:88)\n"
      "\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)\n"
      "\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)\n"
      "\tat com.fasterxml.jackson.databind.ObjectMapper.readValue(ObjectMapper.java:3548)\n"
      "\tat io.netty.channel.AbstractChannelHandlerContext.invokeChannelRead(AbstractChannelHandlerContext.java:379)\n"
      "\tat org.hibernate.internal.SessionImpl.find(SessionImpl.java:2420)\n"
      "\tat jakarta.servlet.http.HttpServlet.service(HttpServlet.java:590)");
  // The first frame is the application's, every other a library's.
  auto app_then_libraries = [](const edgelog::parsed_stack& p, std::size_t frames) {
    REQUIRE(p.frames.size() == frames);
    CHECK(p.frames[0].in_app);
    for (std::size_t i = 1; i < p.frames.size(); ++i) {
      CAPTURE(p.frames[i].module);
      CHECK_FALSE(p.frames[i].in_app);
    }
  };
  app_then_libraries(java, 7);
  auto dotnet = parse_stack(
      "System.InvalidOperationException: Sequence contains no elements\n"
      "   at Shop.Orders.CartService.Checkout() in /src/Shop/Orders/CartService.cs:line 31\n"
      "   at Newtonsoft.Json.Serialization.JsonSerializerInternalReader.Deserialize(JsonReader reader)\n"
      "   at Npgsql.NpgsqlCommand.ExecuteReader()\n"
      "   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.Execute()");
  app_then_libraries(dotnet, 4);
  // Ruby gems and stdlib, PHP's system packages and pnpm's store, by their paths.
  for (std::string_view file : {"/usr/local/bundle/gems/rack-3.0.8/lib/rack/builder.rb",
                                "/usr/local/lib/ruby/3.2.0/net/http.rb", "<internal:kernel>",
                                "/usr/share/php/Symfony/Component/HttpKernel/Kernel.php",
                                "/srv/app/node_modules/.pnpm/express@4.18.2/index.js"}) {
    CAPTURE(file);
    CHECK_FALSE(edgelog::is_in_app(file, "f"));
  }
  CHECK(edgelog::is_in_app("/srv/app/app/models/order.rb", "save"));
  CHECK(edgelog::is_in_app("com.shop.reactor.Loop", "run"));  // a library's name inside the app's is the app's
}

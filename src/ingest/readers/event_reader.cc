// One event object → a typed event: each member's JSON type checked and its value handed to the
// event builder, which holds the rules. The body-level reader (json.cc) calls it per event.
#include "ingest/readers/event_reader.h"

#include <limits>

#include "detail/json_text.h"

namespace edgelog::detail {
namespace {

namespace od = simdjson::ondemand;

class event_reader {
 public:
  event_reader(event_builder& fields, std::deque<std::string>& storage) : fields_(fields), storage_(storage) {}

  // Reads one event object; returns true when it is acceptable.
  bool read(od::value value, event& ev) {
    fields_.start(ev);
    od::object obj;
    if (auto e = value.get_object().get(obj); e) {
      if (!is_type_error(e)) return broken(e);
      event_failure& fail = fields_.failure();
      fail.code = errc::invalid_event;
      fail.message = "an event must be a JSON object";
      return false;
    }
    for (auto member : obj) {
      std::string_view key;
      if (auto e = member.unescaped_key().get(key); e) {
        if (e != simdjson::STRING_ERROR) return broken(e);
        continue;  // a key that does not decode (a lone surrogate) names no field of ours
      }
      od::value v;
      if (auto e = member.value().get(v); e) return broken(e);
      event_field field = event_field_of(key);
      if (field == event_field::stored_fingerprint && !fields_.limits().stored_fingerprints)
        continue;  // only rows the service converts may carry one
      if (!read_field(field, v)) return false;
    }
    return fields_.finish();
  }

 private:
  bool read_field(event_field field, od::value v) {
    switch (field) {
      case event_field::level: return read_level(v);
      case event_field::message: {
        std::string_view s;
        if (auto e = text(v, s); e) return wrong_type(field, e);
        return fields_.message(s);
      }
      case event_field::ts: return read_ts(v);
      case event_field::fingerprint: return read_fingerprint(v);
      case event_field::debug_meta: return read_debug_meta(v);
      case event_field::ctx:
      case event_field::tags: return read_object(field, v);
      case event_field::unknown: return true;  // ignored; On-Demand skips the unread value
      default: {
        if (v.is_null().value_unsafe()) return true;  // null means absent
        std::string_view s;
        if (auto e = text(v, s); e) return wrong_type(field, e);
        fields_.text(field, s);
        return true;
      }
    }
  }

  // A string value. A lone surrogate or an invalid escape (which the strict decoder refuses) and
  // U+0000 become U+FFFD, the repaired text owned by storage_.
  simdjson::error_code text(od::value v, std::string_view& out) {
    std::string_view token = v.raw_json_token();
    auto e = v.get_string().get(out);
    if (e == simdjson::STRING_ERROR) {
      out = storage_.emplace_back(lenient_json_string(token));
      return simdjson::SUCCESS;
    }
    if (e) return e;
    if (out.find('\0') != std::string_view::npos) out = storage_.emplace_back(without_nul(out));
    return simdjson::SUCCESS;
  }

  bool read_level(od::value v) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(e);
    if (type == od::json_type::number) {
      std::int64_t n;
      if (auto e = v.get_int64().get(n); e) return is_type_error(e) ? fields_.level_not_integer() : broken(e);
      return fields_.level_number(n);
    }
    if (type != od::json_type::string) return fields_.wrong_type(event_field::level);
    std::string_view s;
    if (auto e = v.get_string().get(s); e) return broken(e);
    return fields_.level_text(s);
  }

  bool read_ts(od::value v) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(e);
    if (type == od::json_type::string) {
      std::string_view s;
      if (auto e = v.get_string().get(s); e) return broken(e);
      return fields_.ts_text(s);
    }
    if (type == od::json_type::number) {
      double d;
      if (auto e = v.get_double().get(d); e) {
        // A number past a double's range: out of range like any other.
        if (e == simdjson::NUMBER_ERROR) return fields_.ts_number(std::numeric_limits<double>::infinity());
        return broken(e);
      }
      return fields_.ts_number(d);
    }
    if (type == od::json_type::null) {
      fields_.ts_now();
      return true;
    }
    return fields_.wrong_type(event_field::ts);
  }

  // `fingerprint`: an array of up to 8 strings ("{{ default }}" stands for the computed one).
  bool read_fingerprint(od::value v) {
    if (v.is_null().value_unsafe()) return true;
    od::array arr;
    if (auto e = v.get_array().get(arr); e) return wrong_type(event_field::fingerprint, e);
    for (auto element : arr) {
      std::string_view part;
      od::value element_value;
      if (auto e = element.get(element_value); e) return broken(e);
      if (auto e = text(element_value, part); e) return wrong_type(event_field::fingerprint, e);
      if (!fields_.fingerprint_part(part)) return false;
    }
    return true;
  }

  // `debug_meta`: {"images": [{"type": "sourcemap", "code_file", "debug_id"}]}, Sentry's shape:
  // which bundle a stack's frames come from, by its source map's debug ID. Read for symbolication,
  // not stored; an image of another type, or a member of another shape, is passed over.
  bool read_debug_meta(od::value v) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(e);
    if (type == od::json_type::null) return true;
    if (type != od::json_type::object) return fields_.wrong_type(event_field::debug_meta);
    od::object meta;
    if (auto e = v.get_object().get(meta); e) return broken(e);
    for (auto member : meta) {
      std::string_view key;
      od::value images;
      if (auto e = member.unescaped_key().get(key); e) return broken(e);
      if (auto e = member.value().get(images); e) return broken(e);
      if (key != "images") continue;
      od::array arr;
      if (auto e = images.get_array().get(arr); e) {
        if (is_type_error(e)) continue;
        return broken(e);
      }
      for (auto element : arr) {
        od::object image;
        if (auto e = element.get_object().get(image); e) {
          if (is_type_error(e)) continue;
          return broken(e);
        }
        std::string_view image_type, code_file, debug_id;
        for (auto field : image) {
          std::string_view name, value;
          od::value fv;
          if (auto e = field.unescaped_key().get(name); e) return broken(e);
          if (auto e = field.value().get(fv); e) return broken(e);
          if (name != "type" && name != "code_file" && name != "debug_id") continue;
          if (auto e = text(fv, value); e) {
            if (is_type_error(e)) continue;
            return broken(e);
          }
          (name == "type" ? image_type : name == "code_file" ? code_file : debug_id) = value;
        }
        if (image_type == "sourcemap") fields_.debug_image(code_file, debug_id);
      }
    }
    return true;
  }

  bool read_object(event_field field, od::value v) {
    od::json_type type;
    if (auto e = v.type().get(type); e) return broken(e);
    if (type == od::json_type::null) return true;
    if (type != od::json_type::object) return fields_.wrong_type(field);
    od::object obj;
    std::string_view raw;
    if (auto e = v.get_object().get(obj); e) return broken(e);
    if (auto e = obj.raw_json().get(raw); e) return broken(e);
    return fields_.object(field, raw);
  }

  // The wrong type refuses the event; any other error means the JSON is broken.
  bool wrong_type(event_field field, simdjson::error_code e) {
    return is_type_error(e) ? fields_.wrong_type(field) : broken(e);
  }

  bool broken(simdjson::error_code) {
    event_failure& fail = fields_.failure();
    fail.broken_json = true;
    fail.code = errc::invalid_json;
    return false;
  }

  event_builder& fields_;
  std::deque<std::string>& storage_;
};

}  // namespace

bool is_type_error(simdjson::error_code e) noexcept {
  return e == simdjson::INCORRECT_TYPE || e == simdjson::NUMBER_OUT_OF_RANGE;
}

bool read_event(od::value value, event& ev, event_builder& fields, std::deque<std::string>& storage) {
  return event_reader(fields, storage).read(value, ev);
}

}  // namespace edgelog::detail

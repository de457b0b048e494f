// A minimal compact JSON writer: the encoder's one output path, so escaping and number spelling live in one place.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace offline_sync::protocol {

// Writes keys and values in call order, inserting commas itself; the caller keeps objects and arrays balanced.
// Text is assumed to be valid UTF-8 (the store's TEXT values are); only '"', '\' and control characters are escaped.
class JsonWriter {
 public:
  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  JsonWriter& key(std::string_view name);

  JsonWriter& string(std::string_view text);
  JsonWriter& integer(std::int64_t value);
  // The shortest text that reads back as the same double, always with '.', 'e' or 'E' so it stays a REAL;
  // null for NaN and infinities, which JSON cannot spell.
  JsonWriter& real(double value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();

  std::string take() { return std::move(out_); }

 private:
  void beforeValue();
  void quoted(std::string_view text);

  std::string out_;
  bool needComma_ = false;
};

}  // namespace offline_sync::protocol

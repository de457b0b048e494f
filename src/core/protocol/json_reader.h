// Typed, strict reads from simdjson On-Demand values for the decoder: every failure throws the coded Error, saying
// where in the message it happened.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/clock/hybrid_clock.h"

namespace offline_sync::protocol::json {

namespace ondemand = simdjson::ondemand;

// Where a value sits in a message ("changes[3].columns.minutes"). Lives on the stack, pointing at its parent, and is
// only formatted when something fails, so a decode that succeeds pays nothing for it.
class Where {
 public:
  Where() = default;  // the body itself
  Where(const Where& parent, std::string_view key) : parent_(&parent), key_(key), kind_(Kind::key) {}
  Where(const Where& parent, std::size_t index) : parent_(&parent), index_(index), kind_(Kind::index) {}

  std::string str() const;
  // The path below `ancestor` ("columns.notes" below "changes[3]"); the whole path if it is not an ancestor.
  std::string relativeTo(const Where& ancestor) const;

 private:
  enum class Kind { body, key, index };
  const Where* parent_ = nullptr;
  std::string_view key_;
  std::size_t index_ = 0;
  Kind kind_ = Kind::body;
};

// ERR_PROTOCOL: "<where>: <problem>".
[[noreturn]] void fail(const Where& where, std::string_view problem);
// ERR_TOO_LARGE: a body, a value or a batch over the limits.
[[noreturn]] void failTooLarge(const Where& where, std::string_view problem);
// Throws for a simdjson error: a wrong type is "expected <expected>", anything else is "not valid JSON".
void check(simdjson::error_code error, const Where& where, std::string_view expected);

ondemand::object objectAt(ondemand::value& value, const Where& where);
ondemand::array arrayAt(ondemand::value& value, const Where& where);
// The view points into the parser's buffer: valid until the decoder parses again.
std::string_view stringAt(ondemand::value& value, const Where& where);
bool booleanAt(ondemand::value& value, const Where& where);
// A JSON integer (no '.', 'e' or 'E') within int64.
std::int64_t integerAt(ondemand::value& value, const Where& where);
// Versions, cursors, base versions: an integer >= 0.
std::int64_t versionAt(ondemand::value& value, const Where& where);
// A decimal string of a uint64.
HlcStamp hlcAt(ondemand::value& value, const Where& where);

// A number's own text, without the whitespace simdjson leaves after it.
std::string_view numberToken(ondemand::value& value);
// True when a number token is a REAL on the wire: it has '.', 'e' or 'E'.
bool isRealToken(std::string_view token);
// True when a token has JSON's integer grammar, -?(0|[1-9][0-9]*), whatever its size.
bool isIntegerToken(std::string_view token);

// Reads past a value the decoder does not know, checking that it is valid JSON all the same (On-Demand would skip it
// unchecked) and not nested absurdly deep.
void skipValue(ondemand::value& value, const Where& where);

// Calls onField(key, value, where) for each field in order. Keys are unescaped; a field the callback does not read
// must be passed to skipValue.
template <typename OnField>
void forEachField(ondemand::object& object, const Where& where, OnField&& onField) {
  for (auto entry : object) {
    std::string_view key;
    check(entry.unescaped_key().get(key), where, "an object key");
    const Where at(where, key);
    ondemand::value value;
    check(entry.value().get(value), at, "a value");
    onField(key, value, at);
  }
}

// Calls onElement(value, where) for each element in order.
template <typename OnElement>
void forEachElement(ondemand::array& array, const Where& where, OnElement&& onElement) {
  std::size_t index = 0;
  for (auto element : array) {
    const Where at(where, index++);
    ondemand::value value;
    check(element.get(value), at, "an array element");
    onElement(value, at);
  }
}

// Records which known fields of one object were seen: a repeated field is an error (parsers disagree on which copy
// wins, so accepting it would let two readers see two different messages), and so is a missing required one.
class SeenFields {
 public:
  void mark(unsigned field, const Where& where);
  bool has(unsigned field) const { return (seen_ & field) != 0; }
  void require(unsigned field, const Where& object, std::string_view name) const;

 private:
  unsigned seen_ = 0;
};

}  // namespace offline_sync::protocol::json

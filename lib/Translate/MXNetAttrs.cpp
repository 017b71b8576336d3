//===- MXNetAttrs.cpp - MXNet attribute string encodings ------------------===//
//
// MXNet keeps every operator attribute as a string: Python's str() of the
// kwarg ("(3, 3)", "True", "1e-05") or C++'s std::to_string ("0.000000").
//
//===----------------------------------------------------------------------===//

#include "QDialect/Translate/MXNetFormat.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

using namespace llvm;
using namespace mxnet;

static Error attrFail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg);
}

static std::string quoted(StringRef s) { return ("'" + s + "'").str(); }

Expected<int64_t> mxnet::parseInt(StringRef text) {
  StringRef s = text.trim();
  // Python 2 printed longs with a suffix: str((3L, 3L)) == "(3L, 3L)".
  if (s.ends_with("L") || s.ends_with("l"))
    s = s.drop_back();
  // from_chars takes no '+'.
  if (s.consume_front("+") && s.starts_with("-"))
    return attrFail("invalid integer " + quoted(text));
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.begin(), s.end(), v);
  if (s.empty() || ec == std::errc::invalid_argument || end != s.end())
    return attrFail("invalid integer " + quoted(text));
  if (ec == std::errc::result_out_of_range)
    return attrFail("integer " + quoted(text) + " is out of range");
  return v;
}

Expected<double> mxnet::parseFloat(StringRef text, bool allowNonFinite) {
  StringRef s = text.trim();
  StringRef body = s;
  if (!body.consume_front("-"))
    body.consume_front("+");
  std::string lower = body.lower();
  if (lower == "inf" || lower == "infinity" || lower == "nan") {
    if (!allowNonFinite)
      return attrFail("non-finite number " + quoted(text) + " is not allowed");
    if (lower == "nan")
      return std::nan("");
    return s.starts_with("-") ? -HUGE_VAL : HUGE_VAL;
  }
  // from_chars: locale-independent, decimal only (no hex floats).
  if (s.consume_front("+") && s.starts_with("-"))
    return attrFail("invalid number " + quoted(text));
  double v = 0;
  auto [end, ec] =
      std::from_chars(s.begin(), s.end(), v, std::chars_format::general);
  if (s.empty() || ec == std::errc::invalid_argument || end != s.end())
    return attrFail("invalid number " + quoted(text));
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `v` alone then; strtod tells overflow (inf) from
    // underflow (0 or a denormal, which we keep).
    std::string buf = s.str();
    v = std::strtod(buf.c_str(), nullptr);
    if (!std::isfinite(v))
      return attrFail("number " + quoted(text) + " is out of range");
  }
  // from_chars also reads spellings such as "nan(123)".
  if (!std::isfinite(v) && !allowNonFinite)
    return attrFail("non-finite number " + quoted(text) + " is not allowed");
  return v;
}

Expected<bool> mxnet::parseBool(StringRef text) {
  StringRef s = text.trim();
  if (s.equals_insensitive("true") || s == "1")
    return true;
  if (s.equals_insensitive("false") || s == "0")
    return false;
  return attrFail("invalid boolean " + quoted(text) +
                  " (expected True, False, 1 or 0)");
}

Expected<std::optional<int64_t>> mxnet::parseOptInt(StringRef text) {
  if (text.trim() == "None")
    return std::optional<int64_t>();
  auto v = parseInt(text);
  if (!v)
    return v.takeError();
  return std::optional<int64_t>(*v);
}

Expected<std::optional<double>> mxnet::parseOptFloat(StringRef text) {
  if (text.trim() == "None")
    return std::optional<double>();
  auto v = parseFloat(text);
  if (!v)
    return v.takeError();
  return std::optional<double>(*v);
}

// Splits "(a, b)", "[a,b]", "(a,)", "()" or a bare "a" into trimmed items.
static Expected<SmallVector<StringRef>> splitTuple(StringRef text) {
  StringRef s = text.trim();
  SmallVector<StringRef> items;
  if (s.empty())
    return attrFail("invalid tuple " + quoted(text) + ": empty string");
  char open = s.front();
  if (open != '(' && open != '[') {
    items.push_back(s);
    return items;
  }
  char close = open == '(' ? ')' : ']';
  if (s.size() < 2 || s.back() != close)
    return attrFail("invalid tuple " + quoted(text) + ": missing '" +
                    Twine(close) + "'");
  StringRef body = s.drop_front().drop_back().trim();
  if (body.empty())
    return items;
  // Python's 1-tuple "(5,)" has a trailing comma.
  if (body.ends_with(","))
    body = body.drop_back().rtrim();
  SmallVector<StringRef> parts;
  body.split(parts, ',');
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      return attrFail("invalid tuple " + quoted(text) + ": empty element");
    items.push_back(p);
  }
  return items;
}

Expected<std::vector<int64_t>> mxnet::parseIntTuple(StringRef text) {
  auto items = splitTuple(text);
  if (!items)
    return items.takeError();
  std::vector<int64_t> out;
  for (StringRef item : *items) {
    auto v = parseInt(item);
    if (!v) {
      consumeError(v.takeError());
      return attrFail("invalid integer tuple " + quoted(text) + ": " +
                      quoted(item) + " is not an integer");
    }
    out.push_back(*v);
  }
  return out;
}

Expected<std::vector<std::optional<int64_t>>>
mxnet::parseOptIntTuple(StringRef text) {
  auto items = splitTuple(text);
  if (!items)
    return items.takeError();
  std::vector<std::optional<int64_t>> out;
  for (StringRef item : *items) {
    if (item == "None") {
      out.emplace_back();
      continue;
    }
    auto v = parseInt(item);
    if (!v) {
      consumeError(v.takeError());
      return attrFail("invalid integer tuple " + quoted(text) + ": " +
                      quoted(item) + " is neither an integer nor None");
    }
    out.emplace_back(*v);
  }
  return out;
}

Expected<std::vector<double>> mxnet::parseFloatTuple(StringRef text,
                                                        bool allowNonFinite) {
  auto items = splitTuple(text);
  if (!items)
    return items.takeError();
  std::vector<double> out;
  for (StringRef item : *items) {
    auto v = parseFloat(item, allowNonFinite);
    if (!v)
      return attrFail("invalid float tuple " + quoted(text) + ": " +
                      toString(v.takeError()));
    out.push_back(*v);
  }
  return out;
}

std::string mxnet::formatIntTuple(ArrayRef<int64_t> values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      out += ", ";
    out += std::to_string(values[i]);
  }
  if (values.size() == 1)
    out += ",";
  return out + ")";
}

std::string
mxnet::formatOptIntTuple(ArrayRef<std::optional<int64_t>> values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i)
      out += ", ";
    out += values[i] ? std::to_string(*values[i]) : "None";
  }
  if (values.size() == 1)
    out += ",";
  return out + ")";
}

std::string mxnet::formatBool(bool value) {
  return value ? "True" : "False";
}

std::string mxnet::formatFloatFixed(float value) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%f", static_cast<double>(value));
  return buf;
}

// Lays out decimal digits the way Python's float repr does: positional
// notation when the decimal exponent is in [-4, 16), else d.ddde+XX.
static std::string pythonLayout(bool negative, StringRef digits, int exp10) {
  // Value = 0.<digits> * 10^decpt.
  int decpt = exp10 + 1;
  std::string out = negative ? "-" : "";
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(-decpt, '0');
      out += digits;
    } else if (static_cast<size_t>(decpt) >= digits.size()) {
      out += digits;
      out.append(decpt - digits.size(), '0');
      out += ".0";
    } else {
      out += digits.take_front(decpt);
      out += ".";
      out += digits.drop_front(decpt);
    }
    return out;
  }
  out += digits.take_front(1);
  if (digits.size() > 1) {
    out += ".";
    out += digits.drop_front(1);
  }
  char buf[16];
  snprintf(buf, sizeof(buf), "e%c%02d", exp10 < 0 ? '-' : '+', std::abs(exp10));
  return out + buf;
}

// Shortest scientific rendering that reads back to the same value (as a
// double, or as a float when `asFloat`), laid out like Python's repr.
static std::string shortestRepr(double value, bool asFloat) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value < 0 ? "-inf" : "inf";
  if (value == 0)
    return std::signbit(value) ? "-0.0" : "0.0";
  char buf[64];
  auto res =
      asFloat ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(value),
                              std::chars_format::scientific)
              : std::to_chars(buf, buf + sizeof(buf), value,
                              std::chars_format::scientific);
  // buf is "-d.ddde[+-]XX".
  StringRef s(buf, res.ptr - buf);
  bool negative = s.consume_front("-");
  auto [mantissa, expText] = s.split('e');
  int exp10 = 0;
  expText.consume_front("+");
  expText.getAsInteger(10, exp10);
  std::string digits;
  for (char c : mantissa)
    if (c != '.')
      digits += c;
  return pythonLayout(negative, digits, exp10);
}

std::string mxnet::formatFloatRepr(double value) {
  return shortestRepr(value, /*asFloat=*/false);
}

std::string mxnet::formatFloat32Repr(float value) {
  return shortestRepr(value, /*asFloat=*/true);
}

Error mxnet::attrError(Error err, const Node &node, uint32_t id,
                          StringRef key) {
  std::string msg = toString(std::move(err));
  return createStringError(inconvertibleErrorCode(),
                           "node '" + node.name + "' (#" + Twine(id) +
                               ") attribute '" + key + "': " + msg);
}

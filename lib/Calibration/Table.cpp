//===- Table.cpp - The calibration table q-calibrate writes ---------------===//

#include "QDialect/Calibration/Table.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cmath>

using namespace qcalib;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {

Error tableError(StringRef file, const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 (file + ": " + message).str());
}

const char *kFormat = "q-calibration-table";

/// Shortest text that reads back to the same double.
std::string formatDouble(double value) {
  for (int digits = 6; digits <= 17; ++digits) {
    std::string text = llvm::formatv("{0}", llvm::format("%.*g", digits, value));
    if (std::strtod(text.c_str(), nullptr) == value)
      return text;
  }
  return llvm::formatv("{0}", llvm::format("%.17g", value)).str();
}

} // namespace

const TableEntry *CalibrationTable::find(StringRef name) const {
  for (const TableEntry &entry : entries)
    if (entry.name == name)
      return &entry;
  return nullptr;
}

void CalibrationTable::set(TableEntry entry) {
  for (TableEntry &existing : entries)
    if (existing.name == entry.name) {
      existing = std::move(entry);
      return;
    }
  entries.push_back(std::move(entry));
}

Expected<CalibrationTable> qcalib::parseCalibrationTable(StringRef text,
                                                         StringRef file) {
  Expected<llvm::json::Value> parsed = llvm::json::parse(text);
  if (!parsed)
    return tableError(file, "not valid JSON: " +
                                llvm::toString(parsed.takeError()));
  const llvm::json::Object *root = parsed->getAsObject();
  if (!root)
    return tableError(file, "the table must be a JSON object");
  if (auto format = root->getString("format"); !format || *format != kFormat)
    return tableError(file, llvm::Twine("\"format\" must be \"") + kFormat +
                                "\"");
  if (auto version = root->getInteger("version"); !version || *version != 1)
    return tableError(file, "\"version\" must be 1");
  CalibrationTable table;
  if (auto mode = root->getString("mode"))
    table.mode = mode->str();
  if (auto dtype = root->getString("dtype"))
    table.dtype = dtype->str();
  const llvm::json::Object *tensors = root->getObject("tensors");
  if (!tensors)
    return tableError(file, "\"tensors\" must be an object of "
                            "name: {\"min\": ..., \"max\": ...}");
  // json::Object is a hash map: sort for a deterministic order (the writer
  // keeps its own order; a hand-edited file is read back sorted).
  std::vector<std::string> names;
  for (const auto &item : *tensors)
    names.push_back(item.first.str());
  llvm::sort(names);
  for (const std::string &name : names) {
    const llvm::json::Object *fields = tensors->getObject(name);
    std::string where = "tensor '" + name + "'";
    if (!fields)
      return tableError(file, where + " must be an object");
    TableEntry entry;
    entry.name = name;
    for (const auto &field : *fields) {
      StringRef key = field.first;
      if (key == "method") {
        auto method = field.second.getAsString();
        if (!method)
          return tableError(file, where + ": \"method\" must be a string");
        entry.method = method->str();
        continue;
      }
      if (key == "channel_min" || key == "channel_max") {
        const llvm::json::Array *values = field.second.getAsArray();
        if (!values)
          return tableError(file, where + ": \"" + key +
                                      "\" must be an array of numbers");
        std::vector<double> &out =
            key == "channel_min" ? entry.channelMin : entry.channelMax;
        for (const llvm::json::Value &value : *values) {
          auto number = value.getAsNumber();
          if (!number || !std::isfinite(*number))
            return tableError(file, where + ": \"" + key +
                                        "\" must hold finite numbers");
          out.push_back(*number);
        }
        continue;
      }
      auto number = field.second.getAsNumber();
      if (key != "min" && key != "max" && key != "observed_min" &&
          key != "observed_max" && key != "negative_fraction")
        return tableError(file, where + ": unknown field \"" + key +
                                    "\" (expected min, max, observed_min, "
                                    "observed_max, negative_fraction, "
                                    "channel_min, channel_max, method)");
      if (!number || !std::isfinite(*number))
        return tableError(file, where + ": \"" + key +
                                    "\" must be a finite number");
      if (key == "min")
        entry.min = *number;
      else if (key == "max")
        entry.max = *number;
      else if (key == "observed_min")
        entry.observedMin = *number;
      else if (key == "negative_fraction")
        entry.negativeFraction = *number;
      else
        entry.observedMax = *number;
    }
    if (!fields->get("min") || !fields->get("max"))
      return tableError(file, where + " needs both \"min\" and \"max\"");
    if (entry.min > entry.max)
      return tableError(file, where + ": min " + formatDouble(entry.min) +
                                  " > max " + formatDouble(entry.max));
    if (entry.channelMin.size() != entry.channelMax.size())
      return tableError(file, where + ": \"channel_min\" and \"channel_max\" "
                                      "must have one value per channel each");
    for (size_t c = 0; c < entry.channelMin.size(); ++c)
      if (entry.channelMin[c] > entry.channelMax[c])
        return tableError(file,
                          where + ": channel " + llvm::Twine(c) + ": min " +
                              formatDouble(entry.channelMin[c]) + " > max " +
                              formatDouble(entry.channelMax[c]));
    table.entries.push_back(std::move(entry));
  }
  return table;
}

Expected<CalibrationTable> qcalib::readCalibrationTable(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path);
  if (!buffer)
    return tableError(path, "cannot read: " + buffer.getError().message());
  return parseCalibrationTable((*buffer)->getBuffer(), path);
}

void qcalib::printCalibrationTable(const CalibrationTable &table,
                                   llvm::raw_ostream &os) {
  auto quoted = [](StringRef text) {
    std::string out;
    llvm::raw_string_ostream stream(out);
    stream << llvm::json::Value(text.str());
    return out;
  };
  os << "{\n  \"format\": \"" << kFormat << "\",\n  \"version\": 1,\n";
  os << "  \"mode\": " << quoted(table.mode) << ",\n";
  os << "  \"dtype\": " << quoted(table.dtype) << ",\n";
  os << "  \"tensors\": {";
  bool first = true;
  for (const TableEntry &entry : table.entries) {
    os << (first ? "\n" : ",\n") << "    " << quoted(entry.name)
       << ": {\"min\": " << formatDouble(entry.min)
       << ", \"max\": " << formatDouble(entry.max);
    if (entry.observedMin)
      os << ", \"observed_min\": " << formatDouble(*entry.observedMin);
    if (entry.observedMax)
      os << ", \"observed_max\": " << formatDouble(*entry.observedMax);
    if (entry.negativeFraction)
      os << ", \"negative_fraction\": "
         << formatDouble(*entry.negativeFraction);
    if (!entry.method.empty())
      os << ", \"method\": " << quoted(entry.method);
    auto array = [&](const char *key, const std::vector<double> &values) {
      os << ", \"" << key << "\": [";
      for (size_t c = 0; c < values.size(); ++c)
        os << (c ? ", " : "") << formatDouble(values[c]);
      os << "]";
    };
    if (!entry.channelMin.empty()) {
      array("channel_min", entry.channelMin);
      array("channel_max", entry.channelMax);
    }
    os << "}";
    first = false;
  }
  os << (first ? "}\n}\n" : "\n  }\n}\n");
}

Error qcalib::writeCalibrationTable(const CalibrationTable &table,
                                    StringRef path) {
  llvm::SmallString<128> temp;
  int fd;
  llvm::SmallString<128> model(path);
  model += ".tmp%%%%%%";
  if (auto ec = llvm::sys::fs::createUniqueFile(model, fd, temp))
    return tableError(path, "cannot write: " + ec.message());
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    printCalibrationTable(table, os);
    os.close();
    if (os.has_error()) {
      llvm::sys::fs::remove(temp);
      return tableError(path, "cannot write: " + os.error().message());
    }
  }
  if (auto ec = llvm::sys::fs::rename(temp, path)) {
    llvm::sys::fs::remove(temp);
    return tableError(path, "cannot write: " + ec.message());
  }
  return Error::success();
}

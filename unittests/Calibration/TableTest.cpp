//===- TableTest.cpp - The calibration table: round trip and errors -------===//

#include "QDialect/Calibration/Table.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

#include <cmath>
#include <string>

using namespace qcalib;

namespace {

std::string errorOf(llvm::StringRef text) {
  auto table = parseCalibrationTable(text, "t.json");
  if (table)
    return "";
  return llvm::toString(table.takeError());
}

CalibrationTable sample() {
  CalibrationTable table;
  table.mode = "entropy";
  table.dtype = "auto";
  table.set({"data", -0.9843137254901961, 1.0, -0.98, 1.0, "entropy"});
  table.set({"relu0_output", 0, 5.1234567890123, 0.0, 9.75, "entropy"});
  // Values that need all 17 digits and tiny ones survive the text form.
  table.set({"conv1_output", -0.1 - 1e-16, 1.0 / 3.0, std::nullopt,
             std::nullopt, "naive"});
  table.set({"tiny", -1e-30, 4.9e-324, std::nullopt, std::nullopt, ""});
  // A depthwise input: the share below zero and per-channel ranges.
  TableEntry channels{"prelu0_output", -2.5, 3.0, -4.0, 5.0, "entropy"};
  channels.negativeFraction = 0.123456789;
  channels.channelMin = {-0.1, -2.5, 0.0};
  channels.channelMax = {1.0 / 3.0, 0.25, 1e-30};
  table.set(channels);
  return table;
}

std::string print(const CalibrationTable &table) {
  std::string text;
  llvm::raw_string_ostream os(text);
  printCalibrationTable(table, os);
  return text;
}

TEST(TableTest, RoundTripKeepsEveryValueExactly) {
  CalibrationTable table = sample();
  std::string text = print(table);
  auto back = parseCalibrationTable(text, "t.json");
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(back->mode, "entropy");
  EXPECT_EQ(back->dtype, "auto");
  ASSERT_EQ(back->entries.size(), table.entries.size());
  for (const TableEntry &want : table.entries) {
    const TableEntry *got = back->find(want.name);
    ASSERT_NE(got, nullptr) << want.name;
    EXPECT_EQ(got->min, want.min) << want.name;
    EXPECT_EQ(got->max, want.max) << want.name;
    EXPECT_EQ(got->observedMin, want.observedMin) << want.name;
    EXPECT_EQ(got->observedMax, want.observedMax) << want.name;
    EXPECT_EQ(got->method, want.method) << want.name;
    EXPECT_EQ(got->negativeFraction, want.negativeFraction) << want.name;
    EXPECT_EQ(got->channelMin, want.channelMin) << want.name;
    EXPECT_EQ(got->channelMax, want.channelMax) << want.name;
  }
  // Printing what was read gives the same entries (sorted by name).
  auto again = parseCalibrationTable(print(*back), "t.json");
  ASSERT_TRUE(bool(again));
  EXPECT_EQ(print(*again), print(*back));
}

TEST(TableTest, FileRoundTripWithHandEdit) {
  llvm::SmallString<128> path;
  ASSERT_FALSE(
      llvm::sys::fs::createTemporaryFile("q-table-test", "json", path));
  ASSERT_FALSE(bool(writeCalibrationTable(sample(), path)));
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(bool(buffer));
  std::string text = (*buffer)->getBuffer().str();
  // A person widens one range by hand, as the docs suggest.
  size_t at = text.find("\"relu0_output\": {\"min\": 0, \"max\": ");
  ASSERT_NE(at, std::string::npos) << text;
  size_t start =
      at + std::string("\"relu0_output\": {\"min\": 0, \"max\": ").size();
  size_t end = text.find(',', start);
  text.replace(start, end - start, "6");
  {
    std::error_code ec;
    llvm::raw_fd_ostream os(path, ec);
    ASSERT_FALSE(ec);
    os << text;
  }
  auto table = readCalibrationTable(path);
  ASSERT_TRUE(bool(table)) << llvm::toString(table.takeError());
  const TableEntry *relu = table->find("relu0_output");
  ASSERT_NE(relu, nullptr);
  EXPECT_EQ(relu->min, 0);
  EXPECT_EQ(relu->max, 6);
  EXPECT_EQ(relu->observedMax, 9.75);
  llvm::sys::fs::remove(path);
}

TEST(TableTest, WriteFailureLeavesNoFile) {
  llvm::Error err =
      writeCalibrationTable(sample(), "/nonexistent-dir/q/calib.json");
  ASSERT_TRUE(bool(err));
  std::string message = llvm::toString(std::move(err));
  EXPECT_NE(message.find("/nonexistent-dir/q/calib.json: cannot write"),
            std::string::npos)
      << message;
}

TEST(TableTest, ReaderNamesFileEntryAndField) {
  EXPECT_EQ(errorOf("{"), errorOf("{")); // deterministic
  EXPECT_NE(errorOf("{").find("t.json: not valid JSON"), std::string::npos);
  EXPECT_EQ(errorOf("[]"), "t.json: the table must be a JSON object");
  EXPECT_EQ(errorOf(R"({"version": 1, "tensors": {}})"),
            "t.json: \"format\" must be \"q-calibration-table\"");
  EXPECT_EQ(errorOf(R"({"format": "q-calibration-table", "tensors": {}})"),
            "t.json: \"version\" must be 1");
  EXPECT_EQ(errorOf(R"({"format": "q-calibration-table", "version": 1})"),
            "t.json: \"tensors\" must be an object of name: {\"min\": ..., "
            "\"max\": ...}");
  const char *head = R"({"format": "q-calibration-table", "version": 1, )";
  auto with = [&](const char *tensors) {
    return errorOf(std::string(head) + "\"tensors\": " + tensors + "}");
  };
  EXPECT_EQ(with(R"({"data": 3})"), "t.json: tensor 'data' must be an object");
  EXPECT_EQ(with(R"({"data": {"min": 0}})"),
            "t.json: tensor 'data' needs both \"min\" and \"max\"");
  EXPECT_EQ(with(R"({"data": {"min": 2, "max": 1}})"),
            "t.json: tensor 'data': min 2 > max 1");
  EXPECT_EQ(with(R"({"data": {"min": "0", "max": 1}})"),
            "t.json: tensor 'data': \"min\" must be a finite number");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "mx": 1}})"),
            "t.json: tensor 'data': unknown field \"mx\" (expected min, max, "
            "observed_min, observed_max, negative_fraction, channel_min, "
            "channel_max, method)");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "channel_min": [0]}})"),
            "t.json: tensor 'data': \"channel_min\" and \"channel_max\" must "
            "have one value per channel each");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "channel_min": 0}})"),
            "t.json: tensor 'data': \"channel_min\" must be an array of "
            "numbers");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "channel_min": [0, "a"], )"
                 R"("channel_max": [1, 1]}})"),
            "t.json: tensor 'data': \"channel_min\" must hold finite numbers");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "channel_min": [0, 2], )"
                 R"("channel_max": [1, 1]}})"),
            "t.json: tensor 'data': channel 1: min 2 > max 1");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1, "method": 1}})"),
            "t.json: tensor 'data': \"method\" must be a string");
  EXPECT_EQ(with(R"({"data": {"min": 0, "max": 1}})"), "");
}

TEST(TableTest, MissingFileIsNamed) {
  auto table = readCalibrationTable("/nonexistent/calib.json");
  ASSERT_FALSE(bool(table));
  std::string message = llvm::toString(table.takeError());
  EXPECT_NE(message.find("/nonexistent/calib.json: cannot read"),
            std::string::npos)
      << message;
}

} // namespace

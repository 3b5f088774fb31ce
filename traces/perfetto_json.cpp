#include "traces/perfetto_json.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "sim/common/error.hpp"

namespace ipusim {

namespace {

constexpr std::size_t kMinBuffer = 4096;

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if the bytes
// there are not one (RFC 3629: no overlongs, no surrogates, max U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  auto cont = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  unsigned b = byte(i);
  if (b >= 0xC2 && b <= 0xDF)
    return cont(i + 1) ? 2 : 0;
  if (b == 0xE0)
    return cont(i + 1, 0xA0) && cont(i + 2) ? 3 : 0;
  if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF)
    return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (b == 0xED)
    return cont(i + 1, 0x80, 0x9F) && cont(i + 2) ? 3 : 0;
  if (b == 0xF0)
    return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b >= 0xF1 && b <= 0xF3)
    return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (b == 0xF4)
    return cont(i + 1, 0x80, 0x8F) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

} // namespace

PerfettoJsonWriter::PerfettoJsonWriter(const std::string &path, TraceWindow window,
                                       uint64_t max_events, std::size_t buffer_bytes)
    : path_(path), window_(window), max_events_(max_events) {
  file_ = std::fopen(path.c_str(), "wb");
  if (!file_)
    throw InputError("cannot write trace file '" + path + "': " + std::strerror(errno));
  capacity_ = std::max(buffer_bytes, kMinBuffer);
  buffer_ = std::make_unique<char[]>(capacity_);
  // The object format lets us add "otherData" after the array in finish().
  put("{\"traceEvents\":[\n");
}

PerfettoJsonWriter::~PerfettoJsonWriter() {
  try {
    finish();
  } catch (...) {
    // A destructor must not throw; callers that care call finish() themselves.
  }
}

void PerfettoJsonWriter::flush() {
  if (used_ == 0 || !file_)
    return;
  if (std::fwrite(buffer_.get(), 1, used_, file_) != used_)
    write_failed_ = true;
  used_ = 0;
}

void PerfettoJsonWriter::put(char c) {
  if (used_ == capacity_)
    flush();
  buffer_[used_++] = c;
}

void PerfettoJsonWriter::put(std::string_view s) {
  if (s.size() > capacity_ - used_) {
    flush();
    if (s.size() > capacity_) { // larger than the whole buffer: bypass it
      if (file_ && std::fwrite(s.data(), 1, s.size(), file_) != s.size())
        write_failed_ = true;
      return;
    }
  }
  std::memcpy(buffer_.get() + used_, s.data(), s.size());
  used_ += s.size();
}

void PerfettoJsonWriter::put_uint(uint64_t v) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof digits, v);
  put(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

void PerfettoJsonWriter::put_int(int64_t v) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof digits, v);
  put(std::string_view(digits, static_cast<std::size_t>(result.ptr - digits)));
}

// JSON string escaping. Besides what JSON requires (quote, backslash, bytes
// below 0x20) we escape DEL, which Perfetto's tokenizer rejects raw, and turn
// bytes that are not well-formed UTF-8 into U+FFFD, since JSON text must be
// UTF-8 and strict parsers reject the file otherwise.
namespace {
template <typename Put> void escape_json_string(std::string_view s, Put &&put) {
  static const char hex[] = "0123456789abcdef";
  put(std::string_view("\"", 1));
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t run = i; // copy plain printable ASCII in one go
    while (run < s.size()) {
      unsigned char c = static_cast<unsigned char>(s[run]);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\')
        break;
      ++run;
    }
    if (run > i) {
      put(s.substr(i, run - i));
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
    case '"':
      put("\\\"");
      break;
    case '\\':
      put("\\\\");
      break;
    case '\n':
      put("\\n");
      break;
    case '\t':
      put("\\t");
      break;
    case '\r':
      put("\\r");
      break;
    case '\b':
      put("\\b");
      break;
    case '\f':
      put("\\f");
      break;
    default:
      if (c < 0x80) { // other control characters and DEL
        char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        put(std::string_view(esc, sizeof esc));
      } else if (std::size_t n = utf8_sequence_length(s, i)) {
        put(s.substr(i, n));
        i += n;
        continue;
      } else {
        put("\\ufffd");
      }
    }
    ++i;
  }
  put(std::string_view("\"", 1));
}
} // namespace

void PerfettoJsonWriter::put_string(std::string_view s) {
  escape_json_string(s, [this](std::string_view part) { put(part); });
}

std::string PerfettoJsonWriter::json_string(std::string_view s) {
  std::string out;
  escape_json_string(s, [&out](std::string_view part) { out.append(part); });
  return out;
}

std::string PerfettoJsonWriter::pc_text(uint32_t pc) {
  // Tile addresses are 5 hex digits on Mk1 and Mk2 (0x40000..0xfffff), so pad
  // to 5 for columns that line up; wider values print in full.
  return fmt::format("0x{:05x}", pc);
}

bool PerfettoJsonWriter::admit() {
  if (!file_)
    return false; // finished
  if (events_written_ >= max_events_) {
    truncated_ = true;
    ++events_dropped_;
    return false;
  }
  ++events_written_;
  return true;
}

// Every event starts with "ph" and then "ts": Perfetto's streaming tokenizer
// looks for "ts" by scanning the event's keys in order, and reads the values
// it passes over with a simplified string reader, so the fixed ASCII keys go
// first and user text (names, disassembly) comes after them.
void PerfettoJsonWriter::begin_event(char phase) {
  if (!first_event_)
    put(",\n");
  first_event_ = false;
  put("{\"ph\":\"");
  put(phase);
  put('"');
}

void PerfettoJsonWriter::end_event() { put('}'); }

void PerfettoJsonWriter::process_name(int pid, std::string_view name) {
  if (!file_)
    return;
  begin_event('M');
  put(",\"pid\":");
  put_int(pid);
  put(",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":");
  put_string(name);
  put('}');
  end_event();
}

void PerfettoJsonWriter::thread_name(int pid, int tid, std::string_view name) {
  if (!file_)
    return;
  begin_event('M');
  put(",\"pid\":");
  put_int(pid);
  put(",\"tid\":");
  put_int(tid);
  put(",\"name\":\"thread_name\",\"args\":{\"name\":");
  put_string(name);
  put('}');
  end_event();
}

void PerfettoJsonWriter::thread_sort_index(int pid, int tid, int index) {
  if (!file_)
    return;
  begin_event('M');
  put(",\"pid\":");
  put_int(pid);
  put(",\"tid\":");
  put_int(tid);
  put(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":");
  put_int(index);
  put('}');
  end_event();
}

void PerfettoJsonWriter::complete(int pid, int tid, std::string_view name, uint64_t ts,
                                  uint64_t dur, uint32_t pc, std::string_view text) {
  if (!window_.overlaps(ts, dur) || !admit())
    return;
  begin_event('X');
  put(",\"ts\":");
  put_uint(ts);
  put(",\"dur\":");
  put_uint(dur);
  put(",\"pid\":");
  put_int(pid);
  put(",\"tid\":");
  put_int(tid);
  put(",\"name\":");
  put_string(name);
  put(",\"args\":{\"pc\":\"");
  put(pc_text(pc));
  put("\",\"text\":");
  put_string(text);
  put('}');
  end_event();
}

void PerfettoJsonWriter::complete_preformatted(int pid, int tid, std::string_view name_json, uint64_t ts,
                                               uint64_t dur, std::string_view pc, std::string_view text_json) {
  if (!window_.overlaps(ts, dur) || !admit())
    return;
  // The whole event at once: at most 4 numbers of 20 digits and the fixed text.
  const std::size_t most = 160 + name_json.size() + pc.size() + text_json.size();
  if (most > capacity_ - used_)
    flush();
  if (most > capacity_) { // larger than the whole buffer: piece by piece
    begin_event('X');
    put(",\"ts\":");
    put_uint(ts);
    put(",\"dur\":");
    put_uint(dur);
    put(",\"pid\":");
    put_int(pid);
    put(",\"tid\":");
    put_int(tid);
    put(",\"name\":");
    put(name_json);
    put(",\"args\":{\"pc\":\"");
    put(pc);
    put("\",\"text\":");
    put(text_json);
    put('}');
    end_event();
    return;
  }
  char *p = buffer_.get() + used_;
  auto text = [&p](std::string_view t) {
    std::memcpy(p, t.data(), t.size());
    p += t.size();
  };
  auto number = [&p](auto v) { p = std::to_chars(p, p + 24, v).ptr; };
  text(first_event_ ? std::string_view("{\"ph\":\"X\",\"ts\":") : std::string_view(",\n{\"ph\":\"X\",\"ts\":"));
  first_event_ = false;
  number(ts);
  text(",\"dur\":");
  number(dur);
  text(",\"pid\":");
  number(static_cast<int64_t>(pid));
  text(",\"tid\":");
  number(static_cast<int64_t>(tid));
  text(",\"name\":");
  text(name_json);
  text(",\"args\":{\"pc\":\"");
  text(pc);
  text("\",\"text\":");
  text(text_json);
  text("}}");
  used_ = static_cast<std::size_t>(p - buffer_.get());
}

void PerfettoJsonWriter::instant(int pid, int tid, std::string_view name, uint64_t ts,
                                 std::string_view detail) {
  if (!window_.contains(ts) || !admit())
    return;
  begin_event('i');
  put(",\"ts\":");
  put_uint(ts);
  put(",\"s\":\"t\",\"pid\":");
  put_int(pid);
  put(",\"tid\":");
  put_int(tid);
  put(",\"name\":");
  put_string(name);
  if (!detail.empty()) {
    put(",\"args\":{\"detail\":");
    put_string(detail);
    put('}');
  }
  end_event();
}

void PerfettoJsonWriter::counter(int pid, std::string_view name, uint64_t ts, double value) {
  if (!window_.contains(ts) || !std::isfinite(value) || !admit())
    return;
  begin_event('C');
  put(",\"ts\":");
  put_uint(ts);
  put(",\"pid\":");
  put_int(pid);
  put(",\"name\":");
  put_string(name);
  // fmt's "{}" is the shortest text that reads back as the same double, and
  // is computed by fmt itself, not by the C library: the same on every host.
  char number[40];
  auto end = fmt::format_to(number, "{}", value);
  put(",\"args\":{\"value\":");
  put(std::string_view(number, static_cast<std::size_t>(end - number)));
  put("}");
  end_event();
}

void PerfettoJsonWriter::finish() {
  if (!file_)
    return;
  put("\n],\"otherData\":{\"generator\":\"ipusim\",");
  put("\"time_unit\":\"1 us on the time axis = 1 simulated cycle\",");
  put("\"window_begin\":");
  put_uint(window_.begin);
  put(",\"window_end\":");
  put_uint(window_.end);
  put(",\"max_events\":");
  put_uint(max_events_);
  put(",\"events_written\":");
  put_uint(events_written_);
  put(",\"events_dropped\":");
  put_uint(events_dropped_);
  put(",\"truncated\":");
  put(truncated_ ? "true" : "false");
  put("}}\n");
  flush();
  bool failed = write_failed_ || std::ferror(file_) != 0;
  int saved_errno = errno;
  if (std::fclose(file_) != 0) {
    failed = true;
    saved_errno = errno;
  }
  file_ = nullptr;
  buffer_.reset();
  if (failed)
    throw InputError("cannot write trace file '" + path_ + "': " + std::strerror(saved_errno));
}

} // namespace ipusim

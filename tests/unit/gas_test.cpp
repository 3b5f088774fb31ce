// Tests of the ISA-agnostic assembler front end: macros, conditionals,
// local labels, expressions, layout, bundles, data bytes, diagnostics, and
// a codelet in the style of poplibs run through the C preprocessor.
// Expected values are worked out by hand in the comments.
#include "sim/assembler/expr.hpp"
#include "sim/assembler/lexer.hpp"
#include "sim/assembler/unit.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace ipusim;
using namespace ipusim::assembler;

namespace {

const char *const test_file = "gas_test_input.S"; // not on disk: columns are exact

AssemblyUnit as(const std::string &text, const LayoutOptions &layout = {}) {
  return assemble_text(text, test_file, layout);
}

// The message of the InputError that assembling `text` throws ("" if none).
std::string error_of(const std::string &text, const LayoutOptions &layout = {}) {
  try {
    as(text, layout);
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

const Section &section(const AssemblyUnit &u, const std::string &name) {
  int i = u.find_section(name);
  REQUIRE(i >= 0);
  return u.sections[static_cast<size_t>(i)];
}

// All data bytes of a section, in order (instructions contribute nothing).
std::vector<int> data_bytes(const AssemblyUnit &u, const std::string &name) {
  std::vector<int> out;
  for (const Item &item : section(u, name).items)
    for (uint8_t b : item.bytes) out.push_back(b);
  return out;
}

std::vector<const Item *> instructions(const Section &s) {
  std::vector<const Item *> out;
  for (const Item &item : s.items)
    if (item.kind == Item::Kind::instruction) out.push_back(&item);
  return out;
}

// Evaluates the operand after the last top-level comma of `item`.
int64_t last_operand(const AssemblyUnit &u, const std::string &sec, const Item &item) {
  auto parts = split_commas(item.operands);
  size_t at = parts.back().first;
  return evaluate_absolute(std::string_view(item.operands).substr(at),
                           EvalContext::for_item(u, u.find_section(sec), item, at));
}

const Symbol &sym(const AssemblyUnit &u, const std::string &name) {
  auto it = u.symbols.find(name);
  REQUIRE(it != u.symbols.end());
  return it->second;
}

std::string data_dir() { return std::string(IPUSIM_TEST_DATA) + "/asm"; }
std::string sdk_dir() { return std::string(IPUSIM_SOURCE_DIR) + "/sim/assembler/sdk_include"; }

} // namespace

TEST_CASE("gas: macro parameters, defaults, keywords, quotes and varargs") {
  AssemblyUnit u = as(".macro M a, b=7, c:req\n"
                      "  .byte \\a, \\b, \\c\n"
                      ".endm\n"
                      ".macro V first, rest:vararg\n"
                      "  .byte \\rest\n"
                      ".endm\n"
                      ".data\n"
                      "M 1,,3\n"         // empty argument takes the default: 1 7 3
                      "M 2 c=9\n"        // blank-separated, keyword: 2 7 9
                      "M c=4, a=5\n"     // keywords in any order: 5 7 4
                      "M \"10\" 11 12\n" // quotes removed: 10 11 12
                      "M 1 + 1, 2, 3\n"  // blanks around an operator do not split: 2 2 3
                      "V 1, 2, 3\n");    // vararg takes the rest: 2 3
  CHECK(data_bytes(u, ".data") == std::vector<int>{1, 7, 3, 2, 7, 9, 5, 7, 4, 10, 11, 12, 2, 2, 3, 2, 3});

  CHECK(error_of(".macro M a, c:req\n.endm\nM 1\n").find("missing argument for required parameter 'c' of macro 'M'") !=
        std::string::npos);
  CHECK(error_of(".macro M a\n.endm\nM 1, 2\n") ==
        std::string(test_file) + ":3:6: error: too many arguments for macro 'M' (it takes 1)");
  CHECK(error_of(".macro M a\n.endm\n.macro M b\n.endm\n") ==
        std::string(test_file) + ":3:1: error: macro 'M' is already defined at " + test_file + ":1");
  CHECK(error_of(".macro M a, a\n.endm\n") == std::string(test_file) + ":1:13: error: duplicate macro parameter 'a'");
}

TEST_CASE("gas: \\() concatenation and the \\@ expansion counter") {
  // \@ counts macro expansions from 0; \() ends a parameter name.
  AssemblyUnit u = as(".macro L name\n"
                      "\\name\\()_x\\@: .byte \\@\n"
                      ".endm\n"
                      ".data\n"
                      "L foo\n"
                      "L foo\n");
  CHECK(data_bytes(u, ".data") == std::vector<int>{0, 1});
  CHECK(sym(u, "foo_x0").value == 0);
  CHECK(sym(u, "foo_x1").value == 1);
  CHECK(error_of("foo\\@: nop\n").find("unexpected '\\' after 'foo'") != std::string::npos);
}

TEST_CASE("gas: .exitm, .rept, .irp and .irpc") {
  AssemblyUnit u = as(".macro E n\n"
                      " .byte 1\n"
                      " .if \\n\n"
                      "   .exitm\n"
                      " .endif\n"
                      " .byte 2\n"
                      ".endm\n"
                      ".data\n"
                      "E 1\n" // 1
                      "E 0\n" // 1 2
                      ".rept 3\n .byte 7\n.endr\n"
                      ".rept 0\n .byte 99\n.endr\n"
                      ".irp v, 1, 2, 3\n .byte \\v\n.endr\n"
                      ".irpc c, 456\n .byte \\c\n.endr\n");
  CHECK(data_bytes(u, ".data") == std::vector<int>{1, 1, 2, 7, 7, 7, 1, 2, 3, 4, 5, 6});
  CHECK(error_of(".exitm\n") == std::string(test_file) + ":1:1: error: '.exitm' outside a macro");
  CHECK(error_of(".endr\n") == std::string(test_file) + ":1:1: error: '.endr' without '.rept', '.irp' or '.irpc'");
  CHECK(error_of("nop\n.rept 2\nnop\n") == std::string(test_file) + ":2:1: error: '.rept' without '.endr'");
}

TEST_CASE("gas: conditionals") {
  AssemblyUnit u = as(".data\n"
                      ".if 1\n .byte 1\n.elseif 1\n .byte 2\n.else\n .byte 3\n.endif\n"
                      ".if 0\n .byte 4\n.elseif 2 > 1\n .byte 5\n.endif\n"
                      ".if 0\n"
                      " .if 1\n  .byte 6\n .else\n  .byte 7\n .endif\n"
                      " .bogus_directive\n"   // skipped, not an error
                      " .if undefined_symbol\n" // not evaluated
                      " .endif\n"
                      ".else\n .byte 8\n.endif\n"
                      ".ifc abc, abc\n .byte 9\n.endif\n"
                      ".ifnc \"x\", \"x\"\n .byte 10\n.else\n .byte 11\n.endif\n"
                      "sym = 3\n"
                      ".ifdef sym\n .byte 12\n.endif\n"
                      ".ifndef nosuch\n .byte 13\n.endif\n"
                      ".ifeq sym - 3\n .byte 14\n.endif\n"
                      ".ifb\n .byte 15\n.endif\n"
                      ".ifnb x\n .byte 16\n.endif\n");
  CHECK(data_bytes(u, ".data") == std::vector<int>{1, 5, 8, 9, 11, 12, 13, 14, 15, 16});

  CHECK(error_of(".if later\n.endif\nlater = 1\n") ==
        std::string(test_file) +
            ":1:5: error: symbol 'later' is not defined before the '.if' condition (it needs a value now)");
  CHECK(error_of("nop\n.if 1\nnop\n") == std::string(test_file) + ":2:1: error: '.if' without '.endif'");
  CHECK(error_of(".else\n") == std::string(test_file) + ":1:1: error: '.else' without '.if'");
  CHECK(error_of(".if 1\n.else\n.else\n.endif\n") == std::string(test_file) + ":3:1: error: '.else' after '.else'");
  CHECK(error_of(".if 1\n.endif\n.endif\n") == std::string(test_file) + ":3:1: error: '.endif' without '.if'");
  // A conditional opened in a macro must close in it.
  CHECK(error_of(".macro M\n.if 1\n.endm\nM\n") ==
        std::string(test_file) + ":4:1: error: '.if' without '.endif' in macro 'M' (in expansion of macro 'M' at " +
            test_file + ":2)");
}

TEST_CASE("gas: numeric local labels and 1f/1b references") {
  AssemblyUnit u = as(".text\n"
                      "1: nop\n"    // 0
                      "   br 1f\n"  // 4 -> the next 1: (8)
                      "1: nop\n"    // 8
                      "   br 1b\n"  // 12 -> 8
                      "   br 2f\n"  // 16 -> 20
                      "2: nop\n"    // 20
                      "   .word 0x1f\n"); // a hex number, not a reference
  const Section &t = section(u, ".text");
  auto ins = instructions(t);
  REQUIRE(ins.size() == 6);
  CHECK(ins[1]->operands == ".L.1.2");
  CHECK(ins[3]->operands == ".L.1.2");
  CHECK(ins[4]->operands == ".L.2.1");
  EvalContext c = EvalContext::for_item(u, 0, *ins[1]);
  Value v = evaluate(ins[1]->operands, c);
  CHECK(v.section == 0);
  CHECK(v.offset == 8);
  CHECK(evaluate(ins[4]->operands, c).offset == 20);
  CHECK(data_bytes(u, ".text") == std::vector<int>{0x1f, 0, 0, 0});

  CHECK(error_of("  br 3b\n") ==
        std::string(test_file) + ":1:6: error: backward reference '3b' to a local label '3:' that is not defined yet");
  CHECK(error_of("nop\n  br 4f\n") == std::string(test_file) + ":2:6: error: undefined local label '4f' (no '4:' follows)");
}

TEST_CASE("gas: a rpt count written as (2f - 1f)/8 - 1") {
  AssemblyUnit u = as(".text\n"
                      ".align 8\n"
                      "  nop\n"                  // 0
                      "  rpt $m0, (2f-1f)/8-1\n" // 4
                      "1: { a ; b }\n"           // 8
                      "   { c ; d }\n"           // 16
                      "2: nop\n");               // 24: (24 - 8)/8 - 1 = 1
  const Section &t = section(u, ".text");
  auto ins = instructions(t);
  REQUIRE(ins.size() == 7);
  CHECK(ins[1]->mnemonic == "rpt");
  CHECK(last_operand(u, ".text", *ins[1]) == 1);
  // RPT_ALIGNED_TO-style test of the distance to an aligned label.
  AssemblyUnit w = as(".text\n7: nop\n.if (. - 7b) & 0x7\n .byte 1\n.else\n .byte 2\n.endif\n");
  CHECK(data_bytes(w, ".text") == std::vector<int>{1});
}

TEST_CASE("gas: .align pads code with nops and data with fill bytes") {
  AssemblyUnit u = as(".text\n"
                      "  nop\n"          // 0
                      ".align 16\n"      // nops at 4, 8, 12
                      "  nop\n"          // 16
                      ".data\n"
                      "  .byte 1\n"      // 0
                      ".align 4\n"       // zeros at 1..3
                      "  .byte 2\n"      // 4
                      ".balign 8, 0xff\n" // 0xff at 5..7
                      ".p2align 3\n"     // already at 8
                      "  .byte 3\n");    // 8
  const Section &t = section(u, ".text");
  REQUIRE(t.items.size() == 5);
  CHECK(t.size == 20);
  CHECK(t.alignment == 16);
  for (int k = 1; k <= 3; ++k) {
    CHECK(t.items[k].mnemonic == "nop");
    CHECK(t.items[k].padding);
    CHECK(t.items[k].offset == 4u * k);
  }
  CHECK_FALSE(t.items[4].padding);
  CHECK(t.items[4].offset == 16);
  CHECK(data_bytes(u, ".data") == std::vector<int>{1, 0, 0, 0, 2, 0xff, 0xff, 0xff, 3});
  CHECK(section(u, ".data").alignment == 8);
  CHECK(error_of(".align 3\n") == std::string(test_file) +
                                      ":1:8: error: alignment 3 is not a power of 2 between 1 and 65536");
  CHECK(error_of(".data\n.byte 1\n.text\n.data\nnop\n") ==
        std::string(test_file) +
            ":5:1: error: instruction at offset 1 of section '.data' is not 4-byte aligned (data before it has an odd size)");
}

TEST_CASE("gas: bundles in the three syntaxes") {
  AssemblyUnit u = as(".text\n"
                      "{ a ; b }\n"   // 0
                      "{ c\n  d }\n"  // 8
                      "{\n  e\n  f\n}\n" // 16
                      "{ g ;\n  h }\n" // 24: a ';' before the line end adds nothing
                      "  i\n"          // 32
                      "{ j ; k }\n");  // 36: 4 mod 8, kept where it falls
  const Section &t = section(u, ".text");
  auto ins = instructions(t);
  REQUIRE(ins.size() == 11);
  const char *names = "abcdefghijk";
  for (size_t k = 0; k < 11; ++k) CHECK(ins[k]->mnemonic == std::string(1, names[k]));
  for (size_t k : {0, 2, 4, 6}) {
    CHECK(ins[k]->bundle_first);
    CHECK(ins[k + 1]->bundle_second);
    CHECK(ins[k]->offset == 4 * k);
    CHECK(ins[k + 1]->offset == 4 * k + 4);
  }
  CHECK_FALSE(ins[8]->bundle_first);
  CHECK_FALSE(ins[8]->bundle_second);
  CHECK(ins[9]->bundle_first);
  CHECK(ins[9]->offset == 36);
  CHECK(t.alignment == 8);
  CHECK(u.bundle_padding_nops == 0);
  CHECK(ins[0]->pos.line == 2);
  CHECK(ins[0]->pos.column == 3);
  CHECK(ins[1]->pos.column == 7);

  // On request, a nop aligns the misaligned bundle.
  LayoutOptions pad;
  pad.pad_bundles = true;
  AssemblyUnit p = as(".text\nnop\n{ j ; k }\n", pad);
  const Section &pt = section(p, ".text");
  REQUIRE(pt.items.size() == 4);
  CHECK(pt.items[1].padding);
  CHECK(pt.items[1].mnemonic == "nop");
  CHECK(pt.items[2].offset == 8);
  CHECK(p.bundle_padding_nops == 1);

  CHECK(error_of("nop\n  { a }\n") ==
        std::string(test_file) + ":2:3: error: a bundle must contain exactly 2 instructions, found 1");
  CHECK(error_of("{ a ; b ; c }\n") ==
        std::string(test_file) + ":1:1: error: a bundle must contain exactly 2 instructions, found 3");
  CHECK(error_of("  }\n") == std::string(test_file) + ":1:3: error: '}' without '{'");
  CHECK(error_of("{ a ; b\n") == std::string(test_file) + ":1:1: error: '{' without '}': unterminated bundle");
  CHECK(error_of("{ a ; { b } }\n") == std::string(test_file) + ":1:7: error: '{' inside a bundle (bundles do not nest)");
  CHECK(error_of("{ x: a ; b }\n") == std::string(test_file) + ":1:3: error: a label cannot be inside a bundle");
  CHECK(error_of("{ .byte 1 ; b }\n") ==
        std::string(test_file) + ":1:3: error: directive '.byte' is not allowed inside a bundle");
  CHECK(error_of("nop x {\n") ==
        std::string(test_file) + ":1:1: error: expected '{' at the start of a statement, after 'nop x'");
}

TEST_CASE("gas: data directives give exact little-endian bytes") {
  AssemblyUnit u = as(".data\n"
                      ".byte 1, -1, 255, 'A'\n"         // 01 ff ff 41
                      ".short 0x1234, -2\n"             // 34 12 fe ff
                      ".hword 7\n"                      // 07 00
                      ".word 0xdeadbeef\n"              // ef be ad de
                      ".int -1\n"                       // ff ff ff ff
                      ".long 010\n"                     // octal 8
                      ".quad 0x0102030405060708\n"      // 08 .. 01
                      ".quad -2\n"                      // fe ff*7
                      ".ascii \"ab\\n\", \"c\"\n"       // 61 62 0a 63
                      ".asciz \"x\\0y\"\n"              // 78 00 79 00
                      ".string \"\\x41\\101\"\n"        // 41 41 00
                      ".space 3, 0x5a\n"                // 5a 5a 5a
                      ".zero 2\n"                       // 00 00
                      ".fill 2, 2, 0x0102\n"            // 02 01 02 01
                      ".byte 0b101\n"                   // 05
                      ".float 1.5\n"                    // 0x3fc00000
                      ".single -0.1\n"                  // 0xbdcccccd (round to nearest)
                      ".double 1.5\n");                 // 0x3ff8000000000000
  std::vector<int> expected = {0x01, 0xff, 0xff, 0x41, 0x34, 0x12, 0xfe, 0xff, 0x07, 0x00, 0xef, 0xbe, 0xad, 0xde,
                               0xff, 0xff, 0xff, 0xff, 0x08, 0x00, 0x00, 0x00, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03,
                               0x02, 0x01, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x61, 0x62, 0x0a, 0x63,
                               0x78, 0x00, 0x79, 0x00, 0x41, 0x41, 0x00, 0x5a, 0x5a, 0x5a, 0x00, 0x00, 0x02, 0x01,
                               0x02, 0x01, 0x05, 0x00, 0x00, 0xc0, 0x3f, 0xcd, 0xcc, 0xcc, 0xbd, 0x00, 0x00, 0x00,
                               0x00, 0x00, 0x00, 0xf8, 0x3f};
  CHECK(data_bytes(u, ".data") == expected);

  CHECK(error_of(".data\n.byte 256\n") == std::string(test_file) + ":2:7: error: value 256 does not fit in 1 byte");
  CHECK(error_of(".byte -129\n") == std::string(test_file) + ":1:7: error: value -129 does not fit in 1 byte");
  CHECK(error_of(".short 65536\n") == std::string(test_file) + ":1:8: error: value 65536 does not fit in 2 bytes");
  CHECK(error_of(".float abc\n") == std::string(test_file) + ":1:8: error: invalid floating-point number 'abc'");
  CHECK(error_of(".ascii abc\n") ==
        std::string(test_file) + ":1:8: error: expected a string in double quotes, found 'abc'");
  CHECK(error_of(".byte 1,,2\n") == std::string(test_file) + ":1:9: error: expected an expression");
}

TEST_CASE("gas: addresses in data stay fixups; constants are resolved after layout") {
  AssemblyUnit u = as(".data\n"
                      ".word foo\n"          // fixup, offset 0
                      ".word foo + 4\n"      // fixup
                      ".word end - start\n"  // forward constant: 8 once laid out
                      ".text\n"
                      "start: nop\n"
                      "foo: nop\n"
                      "end:\n");
  const Section &d = section(u, ".data");
  REQUIRE(d.items.size() == 3);
  REQUIRE(d.items[0].fixups.size() == 1);
  CHECK(d.items[0].fixups[0].offset == 0);
  CHECK(d.items[0].fixups[0].size == 4);
  CHECK(d.items[0].fixups[0].expression == "foo");
  int text = u.find_section(".text");
  Value v0 = evaluate(d.items[0].fixups[0].expression, EvalContext::for_fixup(u, 0, d.items[0], d.items[0].fixups[0]));
  CHECK(v0.section == text);
  CHECK(v0.offset == 4);
  Value v1 = evaluate(d.items[1].fixups[0].expression, EvalContext::for_fixup(u, 0, d.items[1], d.items[1].fixups[0]));
  CHECK(v1.offset == 8);
  CHECK(d.items[2].fixups.empty());
  CHECK(d.items[2].bytes == std::vector<uint8_t>{8, 0, 0, 0});
  CHECK(error_of(".data\n.word nowhere\n") == std::string(test_file) + ":2:7: error: undefined symbol 'nowhere'");
}

TEST_CASE("gas: expressions use gas precedence and 64-bit arithmetic") {
  EvalContext c;
  c.pos = SourcePos{"e.S", 3, 10};
  auto ev = [&](const char *text) { return evaluate_absolute(text, c); };
  CHECK(ev("1 + 2 * 3") == 7);
  CHECK(ev("(1 + 2) * 3") == 9);
  CHECK(ev("1 + 2 << 3") == 17); // << binds tighter than + in gas
  CHECK(ev("7 & 3 + 1") == 4);   // so does &
  CHECK(ev("2 | 1 == 3") == 1);
  CHECK(ev("10 / 3") == 3);
  CHECK(ev("-7 / 2") == -3);
  CHECK(ev("-7 % 2") == -1);
  CHECK(ev("0x10 + 010 + 0b11") == 27);
  CHECK(ev("'a'") == 97);
  CHECK(ev("'\\n'") == 10);
  CHECK(ev("~0") == -1);
  CHECK(ev("!5") == 0);
  CHECK(ev("!0") == 1);
  CHECK(ev("1 && 0") == 0);
  CHECK(ev("0 || 2") == 1);
  CHECK(ev("3 > 2 ? 10 : 20") == 10);
  CHECK(ev("-8 >> 1") == -4);
  CHECK(ev("1 << 63") == INT64_MIN);
  CHECK(ev("4 ! 1") == -2); // or-not: 4 | ~1
  CHECK(ev("0xffffffffffffffff") == -1);
  CHECK(ev("((1 << 20) - 1)") == 0xFFFFF);

  auto err = [&](const char *text) {
    try {
      evaluate(text, c);
    } catch (const InputError &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err("1 / 0") == "e.S:3:12: error: division by zero");
  CHECK(err("5 % (2 - 2)") == "e.S:3:12: error: division by zero");
  CHECK(err("(1 + 2") == "e.S:3:16: error: expected ')' to match the '(' at column 10, found the end of the expression");
  CHECK(err("1 +") == "e.S:3:13: error: expected a number, symbol or '(', found the end of the expression");
  CHECK(err("nosuch + 1") == "e.S:3:10: error: undefined symbol 'nosuch'");
  CHECK(err("1 2") == "e.S:3:12: error: unexpected '2' after the expression");
  CHECK(err("0x") == "e.S:3:10: error: invalid number '0x'");
  CHECK(err("08") == "e.S:3:10: error: invalid number '08'");
  CHECK(err("99999999999999999999") == "e.S:3:10: error: number '99999999999999999999' does not fit in 64 bits");
  CHECK(err("") == "e.S:3:10: error: expected an expression");
  CHECK(err("1f") == "e.S:3:10: error: local label reference '1f' cannot be resolved here");
  std::string deep(300, '(');
  CHECK(err(deep.c_str()) == "e.S:3:110: error: expression nested too deeply"); // 2 levels per parenthesis
}

TEST_CASE("gas: addresses in expressions") {
  AssemblyUnit u = as(".text\nnop\na: nop\nnop\nb: nop\n.data\nc: .word 0\n.extern ext\n");
  int text = u.find_section(".text");
  EvalContext c;
  c.unit = &u;
  c.section = text;
  c.dot = 16;
  c.pos = SourcePos{"e.S", 1, 1};
  CHECK(evaluate_absolute("b - a", c) == 8);
  Value a4 = evaluate("a + 4", c);
  CHECK(a4.section == text);
  CHECK(a4.offset == 8);
  CHECK(evaluate_absolute(". - a", c) == 12);
  Value e = evaluate("ext + 4", c);
  CHECK(e.external == "ext");
  CHECK(e.offset == 4);
  auto err = [&](const char *text) {
    try {
      evaluate_absolute(text, c);
    } catch (const InputError &ex) {
      return std::string(ex.what());
    }
    return std::string();
  };
  CHECK(err("a + b") == "e.S:1:3: error: cannot add two addresses");
  CHECK(err("c - a") == "e.S:1:3: error: cannot subtract addresses in different sections");
  CHECK(err("a * 2") == "e.S:1:3: error: operands of '*' must be absolute values (not addresses)");
  CHECK(err("a") == "e.S:1:1: error: expected an absolute value, but 'a' is an address");
  CHECK(err("other") == "e.S:1:1: error: undefined symbol 'other'");
  c.undefined_is_external = true;
  CHECK(evaluate("other", c).external == "other");
}

TEST_CASE("gas: .set redefinitions are seen in statement order") {
  AssemblyUnit u = as(".text\n"
                      ".set X, 1\n"
                      "  add $m0, $m0, X\n"
                      ".equ X, 2\n"
                      "  add $m0, $m0, X\n"
                      "  add $m0, $m0, Y\n" // forward reference
                      "Y = 5\n"
                      "Z = Y + 1\n");
  auto ins = instructions(section(u, ".text"));
  REQUIRE(ins.size() == 3);
  CHECK(last_operand(u, ".text", *ins[0]) == 1);
  CHECK(last_operand(u, ".text", *ins[1]) == 2);
  CHECK(last_operand(u, ".text", *ins[2]) == 5);
  CHECK(sym(u, "X").value == 2);
  CHECK(sym(u, "X").defs.size() == 2);
  CHECK(sym(u, "Z").value == 6);
  CHECK(error_of("X = 1\n.equiv X, 3\n") ==
        std::string(test_file) + ":2:8: error: symbol 'X' is already defined at " + test_file + ":1:1");
  CHECK(error_of("foo: nop\nfoo: nop\n") ==
        std::string(test_file) + ":2:1: error: symbol 'foo' is already defined at " + test_file + ":1:1");
  CHECK(error_of("foo: nop\n.set foo, 3\n") ==
        std::string(test_file) + ":2:6: error: cannot redefine label 'foo' (defined at " + test_file + ":1:1)");
  CHECK(error_of("A = B + 1\nB = A\n") ==
        std::string(test_file) + ":1:5: error: undefined symbol 'B' in the value of 'A'");
}

TEST_CASE("gas: sections, symbols and the worker/supervisor mode") {
  AssemblyUnit v = as(".section .text.a, \"ax\"\n"
                      ".worker\n"
                      "fa: nop\n"
                      ".supervisor\n"
                      ".section \".data.b\", \"aw\", @progbits\n"
                      "db: .word 1\n"
                      ".section .text.a\n"
                      "  nop\n"
                      ".size fa, . - fa\n"
                      ".text\n"
                      ".globl fa, @function\n"
                      ".type fa, @function\n"
                      ".type db @object\n"
                      ".extern ext\n"
                      ".weak w\n");
  REQUIRE(v.sections.size() == 3);
  CHECK(v.sections[0].name == ".text.a");
  CHECK(v.sections[0].flags == "ax");
  CHECK(v.sections[0].code);
  CHECK(v.sections[0].size == 8);
  CHECK(v.sections[1].name == ".data.b");
  CHECK(v.sections[1].flags == "aw");
  CHECK(v.sections[1].type == "@progbits");
  CHECK_FALSE(v.sections[1].code);
  CHECK(v.sections[2].name == ".text");
  CHECK(v.sections[2].code);
  const Symbol &fa = sym(v, "fa");
  CHECK(fa.section == 0);
  CHECK(fa.value == 0);
  CHECK(fa.global);
  CHECK(fa.type == "function");
  CHECK(fa.has_size);
  CHECK(fa.size == 8);
  CHECK(fa.context == ContextKind::worker);
  CHECK(sym(v, "db").type == "object");
  CHECK(sym(v, "db").section == 1);
  CHECK(sym(v, "ext").external);
  CHECK_FALSE(sym(v, "ext").defined);
  CHECK(sym(v, "w").weak);
  CHECK(v.symbols.count("@function") == 0);
  CHECK(v.sections[0].items[0].context == ContextKind::worker);
  CHECK(v.sections[0].items[1].context == ContextKind::supervisor);
  CHECK(v.sections[0].items[1].offset == 4);
}

TEST_CASE("gas: statements, labels, comments and line markers") {
  AssemblyUnit u = as("a: b: nop ; nop\n"
                      "# a comment line\n"
                      "  nop # a trailing comment\n"
                      ".data\n"
                      ".ascii \"#;{}\"\n");
  CHECK(sym(u, "a").value == 0);
  CHECK(sym(u, "b").value == 0);
  auto ins = instructions(section(u, ".text"));
  REQUIRE(ins.size() == 3);
  CHECK(ins[1]->pos.column == 13);
  CHECK(ins[2]->pos.line == 3);
  CHECK(ins[2]->operands.empty());
  CHECK(data_bytes(u, ".data") == std::vector<int>{'#', ';', '{', '}'});
  // cpp line markers set the file and line of what follows.
  CHECK(error_of("# 10 \"orig.S\"\n  .byte 300\n# 3 \"inc.h\" 1\n") ==
        "orig.S:10:9: error: value 300 does not fit in 1 byte");
  CHECK(error_of("# 1 \"inc.h\" 1\n\n  .byte 300\n") == "inc.h:2:9: error: value 300 does not fit in 1 byte");
}

TEST_CASE("gas: diagnostics carry the original location") {
  CHECK(error_of("  .allow_optimizations\n") ==
        std::string(test_file) + ":1:3: error: unknown directive '.allow_optimizations'");
  CHECK(error_of("nop\n.error \"boom\"\n") == std::string(test_file) + ":2:1: error: boom");
  CHECK(error_of(".endm\n") == std::string(test_file) + ":1:1: error: '.endm' without '.macro'");
  CHECK(error_of(".macro X\nnop\n") == std::string(test_file) + ":1:1: error: '.macro' without '.endm'");
  CHECK(error_of("  $m0 = 1\n") == std::string(test_file) + ":1:3: error: invalid symbol name '$m0'");
  CHECK(error_of("  $m0 add\n") ==
        std::string(test_file) + ":1:3: error: expected an instruction, directive or label, found '$m0'");
  CHECK(error_of("  (x\n") ==
        std::string(test_file) + ":1:3: error: expected an instruction, directive or label, found '('");
  CHECK(error_of(".macro R\nR\n.endm\nR\n").find("macros nested more than 100 deep (is 'R' recursive?)") !=
        std::string::npos);
  // An error inside a macro body: the invocation site, and the body line.
  CHECK(error_of(".macro BAD v\n"
                 "  .byte \\v\n"
                 ".endm\n"
                 ".data\n"
                 "  BAD 300\n") == std::string(test_file) + ":5:3: error: value 300 does not fit in 1 byte " +
                                       "(in expansion of macro 'BAD' at " + test_file + ":2)");
  AssemblyUnit w = as(".warning \"careful\"\n");
  REQUIRE(w.warnings.size() == 1);
  CHECK(w.warnings[0] == std::string(test_file) + ":1:1: warning: careful");
  // The size of a never-defined symbol is ignored with a warning (poplibs
  // has a few such leftovers).
  AssemblyUnit s = as(".size ghost, . - ghost_START\n");
  REQUIRE(s.warnings.size() == 1);
  CHECK(s.warnings[0] ==
        std::string(test_file) + ":1:14: warning: '.size' of 'ghost', which is never defined, is ignored");
}

TEST_CASE("gas: the instruction size hook lays out pseudo-instructions") {
  LayoutOptions layout;
  layout.instruction_size = [](const Item &item, const EvalContext &) { return item.mnemonic == "ldconst" ? 8u : 4u; };
  AssemblyUnit u = as("ldconst $m0, 0x12345678\nnop\nafter:\n", layout);
  const Section &t = section(u, ".text");
  REQUIRE(t.items.size() == 2);
  CHECK(t.items[0].length == 8);
  CHECK(t.items[0].size() == 8);
  CHECK(t.items[1].offset == 8);
  CHECK(sym(u, "after").value == 12);
  CHECK(error_of("{ ldconst $m0, 1 ; fnop }\n", layout) ==
        std::string(test_file) + ":1:3: error: 'ldconst' expands to more than one instruction and cannot be in a bundle");
}

TEST_CASE("gas: garbage input gives InputError, never a crash") {
  std::mt19937 rng(12345);
  const std::string alphabet = "{};:.\\\"'#()=,+-*/<>&|!~ \t\n\n\nabcxyz019_$@"
                               ".macro .endm .if .else .endif .rept .endr .byte .word .align .section 1f 1b \\@ \\() ";
  int errors = 0, ok = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text;
    size_t length = rng() % 300;
    for (size_t k = 0; k < length; ++k) {
      if (round % 4 == 0) text += static_cast<char>(rng() & 0xFF); // raw bytes
      else text += alphabet[rng() % alphabet.size()];
    }
    try {
      as(text);
      ++ok;
    } catch (const InputError &) {
      ++errors;
    }
  }
  CHECK(ok + errors == 400);
  CHECK(errors > 0);
}

TEST_CASE("gas: a poplibs-style codelet through the C preprocessor") {
  FrontEndOptions o;
  o.source = data_dir() + "/fill_like.S";
  o.include_dirs = {data_dir(), sdk_dir()};
  o.defines = {"__IPU__", "__IPU_ARCH_VERSION__=2"};
  AssemblyUnit u = assemble_front_end(o);
  const std::string name = "__runCodelet_test__Fill___float";
  const Section &t = section(u, ".text." + name);
  CHECK(t.flags == "ax"); // FUNCTION_IS_WORKER
  CHECK(t.code);
  CHECK(t.alignment == 8);
  CHECK(t.size == 60);
  auto ins = instructions(t);
  REQUIRE(ins.size() == 15);
  // The optional nop comes first, so the entry is at 4.
  CHECK(ins[0]->mnemonic == "nop");
  CHECK_FALSE(ins[0]->padding);
  CHECK(ins[0]->note.find("in expansion of macro 'WORKER_ENTRY'") != std::string::npos);
  CHECK(sym(u, name).value == 4);
  CHECK(sym(u, name + "_START").value == 0);
  CHECK(sym(u, name).global);
  CHECK(sym(u, name).type == "function");
  CHECK(sym(u, name).size == 60);
  CHECK(sym(u, name).context == ContextKind::worker);
  // cpp expanded $PTR to $m1; the position is the original line and column.
  CHECK(ins[1]->mnemonic == "ld32");
  CHECK(ins[1]->operands == "$m1, $mzero, $mvertex_base, 1");
  CHECK(ins[1]->pos.line == 18);
  CHECK(ins[1]->pos.column == 3);
  CHECK(ins[1]->operands_column == 12);
  // brz $m0, 1f -> the label at 0x20.
  CHECK(ins[5]->mnemonic == "brz");
  EvalContext c = EvalContext::for_item(u, u.find_section(".text." + name), *ins[5]);
  CHECK(evaluate(ins[5]->operands.substr(ins[5]->operands.find(',') + 1), c).offset == 0x20);
  // { rpt ... ; fnop } at 0x28; the body bundle is 0x30..0x37; 2: is 0x38.
  CHECK(ins[10]->mnemonic == "rpt");
  CHECK(ins[10]->offset == 0x28);
  CHECK(ins[10]->bundle_first);
  CHECK(last_operand(u, ".text." + name, *ins[10]) == 0);
  CHECK(ins[12]->mnemonic == "st64step");
  CHECK(ins[12]->offset == 0x30);
  CHECK(ins[12]->operands == "$a2:3, $mzero, $m1+=, 1");
  CHECK(ins[14]->mnemonic == "exitz");
  CHECK(ins[14]->offset == 0x38);
  // The data table: an address fixup, a resolved difference, an SDK constant.
  const Section &d = section(u, ".data.table");
  CHECK(d.type == "@progbits");
  REQUIRE(d.items.size() == 2);
  REQUIRE(d.items[0].fixups.size() == 1);
  CHECK(d.items[0].fixups[0].expression == name);
  CHECK(d.items[0].bytes == std::vector<uint8_t>{0, 0, 0, 0, 12, 0, 0, 0});
  CHECK(d.items[1].bytes == std::vector<uint8_t>{6, 0, 0, 0}); // CTXT_WORKERS
}

TEST_CASE("gas: errors through the C preprocessor") {
  FrontEndOptions o;
  o.source = data_dir() + "/bad_include.S";
  std::string message;
  try {
    assemble_front_end(o);
  } catch (const InputError &e) {
    message = e.what();
  }
  const std::string tail = "bad_header.h.S:3:9: error: value 300 does not fit in 1 byte";
  REQUIRE(message.size() > tail.size());
  CHECK(message.substr(message.size() - tail.size()) == tail);

  o.source = data_dir() + "/missing_include.S";
  message.clear();
  try {
    assemble_front_end(o);
  } catch (const InputError &e) {
    message = e.what();
  }
  CHECK(message.find("missing_include.S:2:10: error: ") != std::string::npos);

  o.source = data_dir() + "/no_such_file.S";
  CHECK_THROWS_AS(assemble_front_end(o), InputError);

  o.source = data_dir() + "/bad_include.S";
  o.cpp = "/nonexistent/cpp";
  message.clear();
  try {
    assemble_front_end(o);
  } catch (const InputError &e) {
    message = e.what();
  }
  CHECK(message.find("cannot run the C preprocessor '/nonexistent/cpp'") != std::string::npos);
}

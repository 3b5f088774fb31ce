// Runs the system C preprocessor over an assembly source, the way a
// gcc-style driver does for `.S` files (`-x assembler-with-cpp`). Line
// markers are kept so every output line maps back to its file and line.
#pragma once

#include <string>
#include <vector>

namespace ipusim::assembler {

struct PreprocessOptions {
  std::string source;                    // the .S file
  std::vector<std::string> include_dirs; // passed as -I, in order
  std::vector<std::string> defines;      // "NAME" or "NAME=VALUE", passed as -D
  std::string cpp;                       // program (searched in PATH when it has no '/');
                                         // empty: default_preprocessor()
};

struct PreprocessResult {
  std::string text;                  // cpp's output, with `# N "file"` markers
  std::vector<std::string> warnings; // cpp's warning lines, as printed
};

// The preprocessor used when none is named: `clang-cpp` or `clang` if one is
// in PATH, else `cpp`. Clang is preferred because Graphcore's toolchain is
// clang-based and the two differ in a way poplibs depends on: when a `##`
// paste fails (legal in assembler mode), GNU cpp keeps the blank that
// preceded the macro argument, which splits a symbol such as
// `NAME(half,  \TYPE\())` into two gas macro arguments.
std::string default_preprocessor();

// Runs `<cpp> -E -x assembler-with-cpp -undef -nostdinc [-I..] [-D..] source`
// without a shell. Throws InputError: a missing source, a cpp that cannot be
// started, or cpp's first error line ("file:line:col: error: ...") when it
// fails.
PreprocessResult preprocess(const PreprocessOptions &options);

} // namespace ipusim::assembler

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
  std::string cpp = "cpp";               // program; searched in PATH when it has no '/'
};

struct PreprocessResult {
  std::string text;                  // cpp's output, with `# N "file"` markers
  std::vector<std::string> warnings; // cpp's warning lines, as printed
};

// Runs `cpp -x assembler-with-cpp -undef -nostdinc [-I..] [-D..] source`
// without a shell. Throws InputError: a missing source, a cpp that cannot be
// started, or cpp's first error line ("file:line:col: error: ...") when it
// fails.
PreprocessResult preprocess(const PreprocessOptions &options);

} // namespace ipusim::assembler

// The `vigil` command line. apps/vigil/main.cc only calls Main().
//
// Exit codes (documented in the README):
//   0  success
//   1  failure: the command could not do its job (database, lexicon, I/O)
//   2  usage error (bad flags or arguments)
//   3  completed with errors: some input was bad, reported and skipped
#ifndef VIGIL_CLI_CLI_H_
#define VIGIL_CLI_CLI_H_

namespace vigil::cli {

enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitInputErrors = 3 };

int Main(int argc, char** argv);

}  // namespace vigil::cli

#endif  // VIGIL_CLI_CLI_H_

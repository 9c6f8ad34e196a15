// ThreadSanitizer suppressions for the OTLP exporter tests: Debian's gRPC (and its gpr/absl
// helpers) are not built with -fsanitize=thread, so TSan cannot see their internal
// synchronization and reports races between gRPC's own threads (e.g. its epoll poller). A report
// is suppressed when a frame of its stacks lies in one of these modules, so races wholly in our
// code (the HTTP exporter, retry waits, the test servers) are still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "race:libgrpc.so\n"
         "race:libgpr.so\n"
         "race:libgrpc++.so\n"
         "race:libabsl_\n"
         "deadlock:libgrpc.so\n";
}

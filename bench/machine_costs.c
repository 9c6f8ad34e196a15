// What the machine charges for the kernel work every request does: a system call, a failed
// non-blocking read (the read Asio tries before it waits), a 1-byte send and receive on a
// loopback TCP connection, and the first write to a fresh page (a page fault). On a virtual
// machine these differ by 5-40x between hosts, and they decide most of a request's time; every
// `make bench` records them (bench/results/machine_costs.json) so that runs on different days
// can be read side by side. bench/machine_costs.sh compiles and runs it.
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void die(const char* what) {
  perror(what);
  exit(1);
}

int main(void) {
  enum { kCalls = 200000, kRoundTrips = 100000 };
  const size_t kPages = 16384;  // 64 MiB
  double t0, t1;

  t0 = now_ns();
  for (int i = 0; i < kCalls; ++i) getppid();
  t1 = now_ns();
  const double syscall_ns = (t1 - t0) / kCalls;

  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {0};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener < 0 || bind(listener, (struct sockaddr*)&addr, sizeof addr) != 0 ||
      getsockname(listener, (struct sockaddr*)&addr, &len) != 0 || listen(listener, 1) != 0) {
    die("listen");
  }
  int client = socket(AF_INET, SOCK_STREAM, 0);
  if (client < 0 || connect(client, (struct sockaddr*)&addr, sizeof addr) != 0) die("connect");
  int server = accept(listener, NULL, NULL);
  if (server < 0) die("accept");
  int one = 1;
  setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(server, F_SETFL, O_NONBLOCK);
  char buffer[4096];

  t0 = now_ns();
  for (int i = 0; i < kCalls; ++i) {
    if (recv(server, buffer, sizeof buffer, 0) >= 0 || errno != EAGAIN) die("recv on an empty socket");
  }
  t1 = now_ns();
  const double failed_recv_ns = (t1 - t0) / kCalls;

  t0 = now_ns();
  for (int i = 0; i < kRoundTrips; ++i) {
    if (send(client, "x", 1, 0) != 1) die("send");
    if (recv(server, buffer, sizeof buffer, 0) != 1) die("recv");
  }
  t1 = now_ns();
  const double send_recv_ns = (t1 - t0) / kRoundTrips;

  char* pages = mmap(NULL, kPages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) die("mmap");
  t0 = now_ns();
  for (size_t i = 0; i < kPages; ++i) pages[i * 4096] = 1;
  t1 = now_ns();
  const double page_fault_ns = (t1 - t0) / (double)kPages;

  printf("{\"benchmark\": \"machine costs (bench/machine_costs.c)\", \"syscall_ns\": %.0f, "
         "\"failed_nonblocking_recv_ns\": %.0f, \"loopback_tcp_1_byte_send_recv_ns\": %.0f, "
         "\"first_write_to_a_page_ns\": %.0f}\n",
         syscall_ns, failed_recv_ns, send_recv_ns, page_fault_ns);
  return 0;
}

// Older glibc symbol versions for the wheel's binary, so that it runs on glibc 2.34
// (RHEL 9, Amazon Linux 2023), not only on the 2.36 of the Debian it is built on.
//
// Used only when the link wraps these functions (Sources/Packaging/build-wheel passes
// `-Xlinker --wrap=hypot` and the others): every call to `hypot` then goes to
// `__wrap_hypot`. Other builds link these functions and never call them. A wrapper
// must not call the function it wraps by any name or version (the link would send that
// call back to the wrapper), so each is written with what glibc 2.34 has:
// - hypot, hypotf (glibc 2.35 gave them new versions; Foundation's geometry calls
//   them): through hypotl, whose extended precision holds any double's or float's
//   result, then rounded;
// - arc4random (glibc 2.36; the static libstdc++'s std::random_device): the kernel's
//   getrandom (glibc 2.25).
#include <errno.h>
#include <math.h>
#include <stdint.h>
#if defined(__linux__)
#include <sys/random.h>
#endif

#if defined(__linux__) && defined(__x86_64__) && defined(__GLIBC__)
double __wrap_hypot(double x, double y) { return (double)hypotl(x, y); }
float __wrap_hypotf(float x, float y) { return (float)hypotl(x, y); }

uint32_t __wrap_arc4random(void) {
  uint32_t value = 0;
  ssize_t got;
  do {
    got = getrandom(&value, sizeof value, 0);
  } while (got != (ssize_t)sizeof value && (got >= 0 || errno == EINTR));
  return value;
}
#endif

#ifndef DJDASH_CNCURSES_SHIM_H
#define DJDASH_CNCURSES_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <ncursesw/curses.h>
#include <locale.h>
#include <langinfo.h>
#include <sys/ioctl.h>
#include <unistd.h>

/// COLOR_PAIR and the A_* attributes are macros; Swift sees these instead.
static inline int djdash_color_pair(int pair) { return (int)COLOR_PAIR(pair); }
static inline int djdash_attr_bold(void) { return (int)A_BOLD; }
static inline int djdash_attr_reverse(void) { return (int)A_REVERSE; }
static inline int djdash_attr_normal(void) { return (int)A_NORMAL; }
static inline int djdash_key_resize(void) { return KEY_RESIZE; }
static inline int djdash_attr_underline(void) { return (int)A_UNDERLINE; }

/// ncurses' globals, read through functions (Swift 6 rejects mutable C globals).
static inline WINDOW *djdash_stdscr(void) { return stdscr; }
static inline WINDOW *djdash_curscr(void) { return curscr; }
static inline int djdash_colors(void) { return COLORS; }
static inline int djdash_color_pairs(void) { return COLOR_PAIRS; }

/// A terminal on descriptors 1 and 0, or NULL (never exits, unlike initscr).
static inline SCREEN *djdash_newterm(void) {
  FILE *out = fdopen(dup(1), "w");
  FILE *in = fdopen(dup(0), "r");
  if (out == 0 || in == 0) return 0;
  return newterm(0, out, in);
}

/// The terminal's size from the kernel (what SIGWINCH announced); 0 on failure.
static inline int djdash_terminal_size(int fd, int *rows, int *cols) {
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_row == 0 || size.ws_col == 0) return 0;
  *rows = size.ws_row;
  *cols = size.ws_col;
  return 1;
}

/// Whether the locale (after setlocale(LC_ALL, "")) encodes text as UTF-8.
static inline int djdash_locale_is_utf8(void) {
  const char *codeset = nl_langinfo(CODESET);
  return codeset != 0 && (codeset[0] == 'U' || codeset[0] == 'u') && (codeset[1] == 'T' || codeset[1] == 't');
}
#endif

/* Gettext macros shared by every ospite library (header only, no link dependency). */
#ifndef OSPITE_I18N_H
#define OSPITE_I18N_H

#include <libintl.h>

#define _(s)  dgettext("ospite", (s))
#define N_(s) (s)
#define P_(s, p, n) dngettext("ospite", (s), (p), (n))

#endif

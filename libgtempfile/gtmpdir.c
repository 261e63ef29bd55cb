/* gtmpdir.c — placeholder until implemented */
#include "gtempfile-private.h"

/* gtmp-core.c — placeholder until implemented */
#include "gtempfile-private.h"

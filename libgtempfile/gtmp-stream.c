/* gtmp-stream.c — placeholder until implemented */
#include "gtempfile-private.h"

#include "bmqtt/persist.h"

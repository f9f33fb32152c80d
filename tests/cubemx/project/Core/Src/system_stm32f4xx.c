/* Stand-in for CubeMX's system file: the clock stays at reset (HSI 16 MHz). */
#include <stdint.h>

uint32_t SystemCoreClock = 16000000u;

void SystemInit(void);
void SystemInit(void)
{
}

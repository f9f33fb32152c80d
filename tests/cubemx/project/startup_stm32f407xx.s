/* The part of CubeMX's startup file that matters to a link: the vector table and a reset handler
 * that copies .data, clears .bss and calls SystemInit and main. */
  .syntax unified
  .cpu cortex-m4
  .fpu softvfp
  .thumb

.global g_pfnVectors
.global Reset_Handler

  .section .text.Reset_Handler
  .weak Reset_Handler
  .type Reset_Handler, %function
Reset_Handler:
  ldr sp, =_estack
  ldr r0, =_sdata
  ldr r1, =_edata
  ldr r2, =_sidata
1:
  cmp r0, r1
  bcs 2f
  ldr r3, [r2], #4
  str r3, [r0], #4
  b 1b
2:
  ldr r0, =_sbss
  ldr r1, =_ebss
  movs r3, #0
3:
  cmp r0, r1
  bcs 4f
  str r3, [r0], #4
  b 3b
4:
  bl SystemInit
  bl main
  b .
.size Reset_Handler, .-Reset_Handler

  .section .text.Default_Handler,"ax",%progbits
Default_Handler:
  b Default_Handler
  .size Default_Handler, .-Default_Handler

  .section .isr_vector,"a",%progbits
  .type g_pfnVectors, %object
g_pfnVectors:
  .word _estack
  .word Reset_Handler
  .word Default_Handler
  .word Default_Handler
  .rept 11
  .word 0
  .endr
  .word SysTick_Handler
  .size g_pfnVectors, .-g_pfnVectors

  .weak SysTick_Handler
  .thumb_set SysTick_Handler,Default_Handler

/*
 * mapfx_c.c - the only member of libsbmapother.a, a second library in
 * the same link: text 50, data 8.  Counted only when asked for.
 */
__asm__(".section .text.fxc,\"ax\",%progbits\n"
        ".globl fxc_func\n"
        "fxc_func:\n"
        ".fill 50,1,0\n"
        ".section .data.fxc,\"aw\",%progbits\n"
        ".globl fxc_data\n"
        "fxc_data:\n"
        ".fill 8,1,2\n");

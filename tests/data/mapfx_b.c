/*
 * mapfx_b.c - member b.o of libsbmapfx.a (see mapfx_a.c): text 123,
 * rodata 77 + 16 (.data.rel.ro counts as rodata), bss 64 + 32 (COMMON).
 */
__asm__(".section .text.fx_b_function_long,\"ax\",%progbits\n"
        ".globl fx_b_func\n"
        "fx_b_func:\n"
        ".fill 123,1,0\n"
        ".section .rodata.fxb,\"a\",%progbits\n"
        ".globl fxb_table\n"
        "fxb_table:\n"
        ".fill 77,1,3\n"
        ".section .data.rel.ro.fx_ptrs,\"aw\",%progbits\n"
        ".globl fx_ptrs\n"
        "fx_ptrs:\n"
        ".fill 16,1,0\n"
        ".section .bss.fxb,\"aw\",%nobits\n"
        ".globl fxb_buf\n"
        "fxb_buf:\n"
        ".zero 64\n"
        ".comm fx_common,32,8\n");

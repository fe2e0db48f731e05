/*
 * mapfx_a.c - member a.o of the synthetic archive libsbmapfx.a that
 * test_mapfile.c attributes.  Every section is written in assembly with
 * .fill/.zero, so its size is the number written here and no compiler can
 * change it.  libsbmapfx.a contributes, in all (a.o and b.o):
 *   text 423 (300 + 123), rodata 1093 (1000 + 77 + 16),
 *   data 40, bss 352 (256 + 64 + 32 COMMON).
 * .text.fx_unused (5000 bytes) is referenced by nothing, so
 * --gc-sections discards it and it must not count.
 */
__asm__(".section .text.fxa,\"ax\",%progbits\n"
        ".globl fx_a_func\n"
        "fx_a_func:\n"
        ".fill 300,1,0\n"
        ".section .rodata.fx_table_long_name,\"a\",%progbits\n"
        ".globl fx_table\n"
        "fx_table:\n"
        ".fill 1000,1,7\n"
        ".section .data.fx_state,\"aw\",%progbits\n"
        ".globl fx_state\n"
        "fx_state:\n"
        ".fill 40,1,1\n"
        ".section .bss.fx_buf,\"aw\",%nobits\n"
        ".globl fx_buf\n"
        "fx_buf:\n"
        ".zero 256\n"
        ".section .text.fx_unused,\"ax\",%progbits\n"
        ".globl fx_unused\n"
        "fx_unused:\n"
        ".fill 5000,1,0\n");

/*
 * mapfx_main.c - the program linked against libsbmapfx.a and
 * libsbmapother.a with -Wl,-Map for test_mapfile.c.  It is never run; its
 * own sections and libc's must not count towards either library.
 */
extern const char fx_a_func[], fx_table[], fx_b_func[], fxb_table[];
extern char fx_state[], fx_buf[], fx_ptrs[], fxb_buf[], fx_common[];
extern const char fxc_func[];
extern char fxc_data[];

/* Not static: it must survive optimisation, 4096 bytes of .bss. */
char program_buffer[4096];

int main(int argc, char **argv)
{
	(void)argv;
	program_buffer[argc] = 1;
	return fx_a_func[argc] + fx_table[argc] + fx_b_func[argc] +
	       fxb_table[argc] + fx_state[argc] + fx_buf[argc] + fx_ptrs[argc] +
	       fxb_buf[argc] + fx_common[argc] + fxc_func[argc] +
	       fxc_data[argc] + program_buffer[argc];
}

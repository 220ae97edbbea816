#ifndef NBKEY_CPROCESS_H
#define NBKEY_CPROCESS_H

/* Process controls Swift cannot call itself (prctl is variadic). */

/* Marks the process not dumpable: no core file, and no ptrace or /proc/PID/mem for other
 * processes of the same user. Returns 0, or -1 where the system has no such control. */
int nbkey_set_not_dumpable(void);

#endif

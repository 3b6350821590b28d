/*
 * The fork gate (docs/fork.md, "A fork waits for the calls in flight"):
 * a fork() waits, up to SP_FORK_GATE_WAIT_MS, until no other thread is in
 * a secprov call, and no call starts while it waits.
 *
 * Why: a call runs OpenSSL (directly and through tpm2-tss), whose locks
 * (a DRBG's among them) are not fork-safe: a child forked while another
 * thread of the parent holds one hangs at its own first use of it. With no
 * call in flight at the fork, none of secprov's work holds such a lock.
 *
 * A thread in a callback to the host (the log function, an info or gc
 * emitter) is not counted as in a call meanwhile: that callback may need a
 * lock the forking thread holds (Python's GIL), and it holds no OpenSSL
 * lock. The wait is bounded: a call that waits for the TPM or for another
 * process's lock longer than the bound is in poll() or flock(), not in
 * OpenSSL; the fork then goes on, as it did before the gate.
 */
#ifndef SECPROV_FORK_GATE_H
#define SECPROV_FORK_GATE_H

#define SP_FORK_GATE_WAIT_MS 500

/* Around every public call that reaches a provider (nests). */
void sp_gate_enter(void);
void sp_gate_leave(void);
/* rc of the call, after sp_gate_leave(): return SP_GATED(call(...)); */
int sp_gate_leave_rc(int rc);
#define SP_GATED(call) (sp_gate_enter(), sp_gate_leave_rc(call))

/* Around a callback to the host made inside a call. */
void sp_gate_pause(void);
void sp_gate_resume(void);

#endif

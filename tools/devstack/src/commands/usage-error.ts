/** A wrong command line: `./dev` prints the message and the usage, and exits 2. */
export class UsageError extends Error {}

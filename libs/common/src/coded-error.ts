/**
 * Base class for errors that carry a machine-readable code and a hint a human can act on.
 * Adapters (entra, vb365) and the domain throw subclasses; the API's problem filter and the job layer
 * decide status codes and retries from `code` alone.
 */
export class CodedError<C extends string = string> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly hint?: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Dates as the reader's locale shows them. */
export const when = (iso: string | null | undefined): string => (iso ? new Date(iso).toLocaleString() : '—');

interface ErrorData {
  code?: string;
  httpStatus?: number;
  fields?: string[];
}

/** A tRPC error as the person reads it: the server's message, its code and the field at fault. */
export function errorText(error: unknown): string {
  if (!error) return '';
  const e = error as { message?: string; data?: ErrorData };
  const code = e.data?.code ? ` (${e.data.code}${e.data.fields?.length ? `: ${e.data.fields.join(', ')}` : ''})` : '';
  return `${e.message ?? String(error)}${code}`;
}

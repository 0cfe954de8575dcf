// The shape of an administration key, apart from admin-signature.ts: whatever reads the key's
// secret (every function that reads a bank's secrets) need not bundle the HTTP Message
// Signatures libraries with it.

/** True for an administration key: `vadm_` and base64 (32 random bytes when Vigil makes it). */
export function isAdminKey(value: string): boolean {
  return /^vadm_[A-Za-z0-9+/]{16,}={0,2}$/.test(value);
}

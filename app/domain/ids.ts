/**
 * Product IDs: a prefix (`ws_`, `usr_`, `lock_`, `aud_`, …) + 28 base62 characters from the
 * platform CSPRNG (rejection sampling, so every character is uniform).
 */
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const ID_LENGTH = 28;

export type IdPrefix =
  | "ws"
  | "usr"
  | "idn"
  | "ses"
  | "inv"
  | "repo"
  | "perm"
  | "inst"
  | "res"
  | "upl"
  | "itm"
  | "dep"
  | "pr"
  | "trg"
  | "bat"
  | "lock"
  | "drs"
  | "drr"
  | "aud"
  | "inc"
  | "incu";

export function newId(prefix: IdPrefix): string {
  let out = "";
  while (out.length < ID_LENGTH) {
    const bytes = crypto.getRandomValues(new Uint8Array(ID_LENGTH * 2));
    for (const byte of bytes) {
      // 62 * 4 = 248: bytes ≥ 248 would bias the first characters.
      if (byte < 248 && out.length < ID_LENGTH) out += ALPHABET[byte % 62];
    }
  }
  return `${prefix}_${out}`;
}

export function isId(prefix: IdPrefix, value: string): boolean {
  return new RegExp(`^${prefix}_[0-9A-Za-z]{${ID_LENGTH}}$`).test(value);
}

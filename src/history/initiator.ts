/**
 * Who asked for a manual run: under sudo, the user who typed the command
 * (`SUDO_USER`), otherwise the current user.
 */
export function initiatingUser(env: Readonly<Record<string, string | undefined>>, currentUser: string): string {
  const sudo = env["SUDO_USER"];
  return sudo !== undefined && sudo !== "" ? sudo : currentUser;
}

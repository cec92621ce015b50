import { MIN_PASSWORD, USERNAME_MAX, USERNAME_MIN } from './api';

/** What is wrong with a new username, in a sentence, or null. The server checks again. */
export function usernameProblem(username: string): string | null {
  const n = username.trim().length;
  if (n < USERNAME_MIN || n > USERNAME_MAX) return `A username has ${USERNAME_MIN} to ${USERNAME_MAX} characters (an email address is fine).`;
  return null;
}

/** What is wrong with a new password and its repetition, or null. */
export function passwordProblem(password: string, repeat: string): string | null {
  if (password.length < MIN_PASSWORD) return `Choose a password of at least ${MIN_PASSWORD} characters.`;
  if (password !== repeat) return 'The two passwords are not the same.';
  return null;
}

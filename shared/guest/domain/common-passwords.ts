/**
 * Passwords too common to be allowed (rule "Password policy", shared/guest/domain/password-policy.ts): a
 * small list kept in the repository, no download. Whole passwords people pick at 12 characters and
 * more, and the words people build short ones from ("Password123!" is "password" with digits and a
 * symbol around it: the policy strips those before it looks a password up). Lower case.
 */
export const COMMON_PASSWORDS: readonly string[] = [
  // whole passwords of 12 or more characters, from published lists of the most used
  '123456789012', '1234567890123', '12345678901234', '123123123123', '111111111111', '000000000000', '123456123456',
  '1q2w3e4r5t6y', '1qaz2wsx3edc', 'qazwsxedcrfv', 'zaq12wsxcde3', '1qazxsw23edc', 'q1w2e3r4t5y6', 'qwertyuiopas', 'qwertyuiop12',
  'qwertyuiop123', 'qwerty123456', 'qwerty1234567', 'asdfghjkl123', 'asdfghjklzxc', 'zxcvbnm12345', 'abcdefghijkl', 'abcd1234abcd',
  'abc123abc123', 'password1234', 'password12345', 'password123456', 'passwordpassword', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'iloveyou1234', 'iloveyouforever', 'welcome12345', 'welcome123456', 'changeme1234', 'changeme123456', 'letmein12345', 'trustno1trustno1',
  'administrator', 'administrator1', 'adminadmin123', 'football1234', 'baseball1234', 'basketball123', 'superman1234', 'batman123456',
  'princess1234', 'sunshine1234', 'starwars1234', 'pokemon12345', 'computer1234', 'internet1234', 'monkey123456', 'dragon123456',
  'michael12345', 'jennifer1234', 'chocolate123', 'whatever1234', 'correcthorsebatterystaple', 'thequickbrownfox',
  // words short passwords are made of (a password that is one of these with digits or symbols around it is refused)
  'password', 'passw0rd', 'p@ssw0rd', 'p@ssword', 'qwerty', 'qwertyuiop', 'asdfgh', 'asdfghjkl', 'zxcvbnm', 'abc', 'abcdef', 'letmein',
  'welcome', 'iloveyou', 'admin', 'administrator', 'login', 'changeme', 'secret', 'master', 'monkey', 'dragon', 'football', 'baseball',
  'basketball', 'soccer', 'hockey', 'superman', 'batman', 'princess', 'sunshine', 'shadow', 'starwars', 'pokemon', 'computer', 'internet',
  'trustno', 'whatever', 'freedom', 'summer', 'winter', 'spring', 'autumn', 'january', 'february', 'december', 'hello', 'hellohello',
  'harvard', 'harvarduniversity', 'harvardmedical', 'harvardmedicalschool', 'hms', 'hmsguest', 'medicalschool', 'boston', 'cambridge',
  'crimson', 'veritas', 'guest', 'guestaccount', 'activate', 'activation',
];

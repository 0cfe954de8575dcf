// The commands a customer can write in any channel (docs/channels.md, "Commands").

export type Command = 'STOP' | 'START' | 'HELP';

// The words of each command in English and French, after normalisation (see commandOf). An
// opt-out that is not understood is a compliance problem, so STOP has every usual form.
const COMMAND_WORDS: Record<Command, readonly string[]> = {
  STOP: [
    'STOP',
    'STOP ALL',
    'STOPALL',
    'UNSUBSCRIBE',
    'CANCEL',
    'END',
    'QUIT',
    'OPT OUT',
    'OPTOUT',
    'REVOKE',
    'ARRET',
    'ARRETER',
    'ARRETEZ',
    'ARRETE',
    'STOPPER',
    'DESABONNER',
    'DESABONNEMENT',
    'DESINSCRIRE',
    'DESINSCRIPTION',
    'ANNULER',
    'FIN',
  ],
  START: ['START', 'UNSTOP', 'RESUME', 'REPRENDRE', 'REACTIVER'],
  HELP: ['HELP', 'AIDE', 'INFO'],
};
const POLITE_WORDS = [
  'PLEASE',
  'PLS',
  'PLZ',
  'THANKS',
  'THANK YOU',
  'NOW',
  'SVP',
  'STP',
  'S IL VOUS PLAIT',
  'S IL TE PLAIT',
  'MERCI',
  'MAINTENANT',
];
const COMMANDS = new Map<string, Command>(
  (Object.entries(COMMAND_WORDS) as [Command, readonly string[]][]).flatMap(([command, words]) =>
    words.map((word) => [word, command] as const),
  ),
);

/**
 * The command a text message asks for, after normalising it: NFKC (fullwidth letters), accents
 * and case dropped, punctuation, symbols and emoji read as spaces, and polite words around the
 * command ignored ("Stop please", "STOP SVP", "arrêt !", "ＳＴＯＰ").
 */
export function commandOf(text: string): Command | undefined {
  let words = normalizedWords(text);
  for (let changed = true; changed; ) {
    changed = false;
    for (const polite of POLITE_WORDS) {
      if (words.startsWith(`${polite} `)) {
        words = words.slice(polite.length + 1);
        changed = true;
      }
      if (words.endsWith(` ${polite}`)) {
        words = words.slice(0, -polite.length - 1);
        changed = true;
      }
    }
  }
  return COMMANDS.get(words);
}

/**
 * A customer's text as words to compare: NFKC, accents and case dropped, anything but letters and
 * digits read as a space.
 */
export function normalizedWords(text: string): string {
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

import { describe, expect, it } from 'vitest';
import { commandOf } from '../../shared/domain/handle-messenger-event.ts';

describe('opt-out and other commands in a text message', () => {
  it.each([
    'STOP',
    'stop',
    'Stop.',
    'STOP!',
    'stop !!!',
    '  Stop  ',
    'ＳＴＯＰ',
    'Stop please',
    'please stop',
    'STOP ALL',
    'stop all please',
    'STOPALL',
    'UNSUBSCRIBE',
    'Unsubscribe.',
    'cancel',
    'END',
    'quit',
    'opt-out',
    'ARRET',
    'ARRÊT',
    'arrêt',
    'Arrêter',
    'arrête !',
    'STOP SVP',
    'stop s’il vous plaît',
    "Stop s'il vous plait",
    'Stop merci',
    'désabonner',
    'désinscription',
    'STOP 🙏',
    '«\u00a0STOP\u00a0»',
  ])('reads %j as STOP', (text) => {
    expect(commandOf(text)).toBe('STOP');
  });

  it.each(['START', 'start please', 'Reprendre', 'réactiver'])('reads %j as START', (text) => {
    expect(commandOf(text)).toBe('START');
  });

  it.each(['HELP', 'help?', 'Aide', 'AIDE SVP'])('reads %j as HELP', (text) => {
    expect(commandOf(text)).toBe('HELP');
  });

  it.each([
    "Don't stop",
    'stop the card please',
    'Was this me? yes',
    'STOPPING SOON',
    'please',
    '',
    'STOP START',
  ])('reads %j as no command', (text) => {
    expect(commandOf(text)).toBeUndefined();
  });
});

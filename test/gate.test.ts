import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Update } from 'node-telegram-bot-api';
import { gateUpdate } from '#ccbot/gate.js';

const ALICE = 1001;
const MALLORY = 6666;
const ALLOWED: ReadonlySet<number> = new Set([ALICE]);
const GROUP = -100123;

const user = (id: number, languageCode?: string) => ({
  id, is_bot: false, first_name: `User ${id}`, ...(languageCode === undefined ? {} : { language_code: languageCode }),
});
const privateChat = (id: number) => ({ id, type: 'private', first_name: `User ${id}` });
const groupChat = (type = 'group') => ({ id: GROUP, type, title: 'A group' });

function message(from: number | undefined, chat: object, extra: object = {}) {
  return { message_id: 7, date: 0, chat, ...(from === undefined ? {} : { from: user(from, 'ru') }), text: 'hello', ...extra };
}
const update = (fields: object): Update => ({ update_id: 1, ...fields }) as Update;
const press = (from: number, onMessage: object | undefined) =>
  update({
    callback_query: {
      id: 'q1', from: user(from), chat_instance: 'ci', data: 'x',
      ...(onMessage === undefined ? { inline_message_id: 'inline-1' } : { message: onMessage }),
    },
  });

const gate = suite('gateUpdate');

gate('passes a private message of an allowed user with its chat, language and update id (its key)', () => {
  const verdict = gateUpdate({ ...update({ message: message(ALICE, privateChat(ALICE)) }), update_id: 42 }, ALLOWED);
  assert.equal(verdict, { kind: 'message', userId: ALICE, chatId: ALICE, updateId: 42, languageCode: 'ru' });
});

gate('passes an allowed user\'s edited message and button press in the private chat', () => {
  const edited = gateUpdate(update({ edited_message: message(ALICE, privateChat(ALICE), { edit_date: 1 }) }), ALLOWED);
  assert.equal(edited, { kind: 'edited_message', userId: ALICE, chatId: ALICE, updateId: 1, languageCode: 'ru' });
  const pressed = gateUpdate(press(ALICE, message(undefined, privateChat(ALICE))), ALLOWED);
  assert.equal(pressed, { kind: 'callback_query', userId: ALICE, chatId: ALICE, updateId: 1 });
});

gate('drops a stranger\'s message, command, file and edit, naming the stranger', () => {
  const chat = privateChat(MALLORY);
  for (const fields of [
    { message: message(MALLORY, chat) },
    { message: message(MALLORY, chat, { text: '/new /etc', entities: [{ type: 'bot_command', offset: 0, length: 4 }] }) },
    { message: message(MALLORY, chat, { text: undefined, document: { file_id: 'f', file_unique_id: 'u' } }) },
    { edited_message: message(MALLORY, chat, { edit_date: 1 }) },
  ]) {
    assert.equal(gateUpdate(update(fields), ALLOWED), { kind: 'drop', reason: 'stranger', userId: MALLORY });
  }
});

gate('drops a stranger\'s button press, even on a message in the allowed user\'s chat', () => {
  const verdict = gateUpdate(press(MALLORY, message(undefined, privateChat(ALICE))), ALLOWED);
  assert.equal(verdict, { kind: 'drop', reason: 'stranger', userId: MALLORY });
});

gate('drops a stranger in a group as a stranger, not as a group message', () => {
  const verdict = gateUpdate(update({ message: message(MALLORY, groupChat()) }), ALLOWED);
  assert.equal(verdict, { kind: 'drop', reason: 'stranger', userId: MALLORY });
});

gate('drops an allowed user\'s messages in groups, supergroups and channels', () => {
  for (const type of ['group', 'supergroup', 'channel']) {
    const verdict = gateUpdate(update({ message: message(ALICE, groupChat(type)) }), ALLOWED);
    assert.equal(verdict, { kind: 'drop', reason: 'not-private', userId: ALICE }, type);
  }
  const edited = gateUpdate(update({ edited_message: message(ALICE, groupChat('supergroup')) }), ALLOWED);
  assert.equal(edited, { kind: 'drop', reason: 'not-private', userId: ALICE });
});

gate('drops an allowed user\'s press on a button in a group, and on an inline-mode message', () => {
  assert.equal(gateUpdate(press(ALICE, message(undefined, groupChat())), ALLOWED), {
    kind: 'drop', reason: 'not-private', userId: ALICE,
  });
  assert.equal(gateUpdate(press(ALICE, undefined), ALLOWED), { kind: 'drop', reason: 'unsupported', userId: ALICE });
});

gate('drops an allowed user\'s message or press in a "private" chat that is not their own (chat.id !== from.id)', () => {
  assert.equal(gateUpdate(update({ message: message(ALICE, privateChat(MALLORY)) }), ALLOWED), { kind: 'drop', reason: 'not-private', userId: ALICE });
  assert.equal(gateUpdate(press(ALICE, message(undefined, privateChat(MALLORY))), ALLOWED), { kind: 'drop', reason: 'not-private', userId: ALICE });
});

gate('drops a message with no sender (a channel post, an anonymous admin) as a stranger', () => {
  const verdict = gateUpdate(update({ message: message(undefined, groupChat(), { sender_chat: groupChat() }) }), ALLOWED);
  assert.equal(verdict, { kind: 'drop', reason: 'stranger' });
});

gate('drops a bot even if its id is on the list', () => {
  const bot = { ...message(ALICE, privateChat(ALICE)), from: { id: ALICE, is_bot: true, first_name: 'bot' } };
  assert.equal(gateUpdate(update({ message: bot }), ALLOWED), { kind: 'drop', reason: 'stranger', userId: ALICE });
});

gate('drops every other update kind: unsupported from an allowed user, stranger otherwise', () => {
  const reaction = (id: number) => ({
    message_reaction: { chat: privateChat(ALICE), message_id: 3, user: user(id), date: 0, old_reaction: [], new_reaction: [] },
  });
  assert.equal(gateUpdate(update(reaction(ALICE)), ALLOWED), { kind: 'drop', reason: 'unsupported', userId: ALICE });
  assert.equal(gateUpdate(update(reaction(MALLORY)), ALLOWED), { kind: 'drop', reason: 'stranger', userId: MALLORY });
  const inline = { inline_query: { id: 'i', from: user(MALLORY), query: 'x', offset: '' } };
  assert.equal(gateUpdate(update(inline), ALLOWED), { kind: 'drop', reason: 'stranger', userId: MALLORY });
  const post = { channel_post: message(undefined, groupChat('channel')) };
  assert.equal(gateUpdate(update(post), ALLOWED), { kind: 'drop', reason: 'unsupported' });
  const member = { my_chat_member: { chat: privateChat(ALICE), from: user(ALICE), date: 0 } };
  assert.equal(gateUpdate(update(member), ALLOWED), { kind: 'drop', reason: 'unsupported', userId: ALICE });
});

gate('lets nobody through an empty allowlist', () => {
  const verdict = gateUpdate(update({ message: message(ALICE, privateChat(ALICE)) }), new Set());
  assert.equal(verdict, { kind: 'drop', reason: 'stranger', userId: ALICE });
});

gate.run();

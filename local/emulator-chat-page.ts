// The emulator's chat page (GET /): every user's conversation, Messenger's and WhatsApp's side by
// side, updated every second; quick replies and reply buttons are buttons that send the answer,
// and two forms open an enrollment link as a given user: an m.me link on Messenger, a wa.me link
// on WhatsApp (its prefilled text is sent). Plain HTML and DOM calls: nothing to build, nothing to
// fetch.

export const CHAT_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Messenger and WhatsApp emulator · Vigil</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #050505; background: #f0f2f5; }
  body { margin: 0; padding: 1rem; }
  header { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; margin-bottom: 1rem; }
  h1 { font-size: 1.1rem; margin: 0 1rem 0 0; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; }
  input { padding: .4rem .6rem; border: 1px solid #ccd0d5; border-radius: 6px; min-width: 8rem; }
  input[name=link] { min-width: 22rem; }
  button { padding: .4rem .8rem; border-radius: 18px; border: 1px solid #0084ff; background: #fff; color: #0084ff; cursor: pointer; }
  button.primary { background: #0084ff; color: #fff; }
  #chats { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1rem; }
  .chat { background: #fff; border-radius: 10px; box-shadow: 0 1px 2px rgba(0,0,0,.2); display: flex; flex-direction: column; max-height: 36rem; }
  .chat h2 { font-size: .95rem; margin: 0; padding: .6rem .9rem; border-bottom: 1px solid #e4e6eb; }
  .messages { overflow-y: auto; padding: .75rem; display: flex; flex-direction: column; gap: .4rem; flex: 1; }
  .bubble { max-width: 80%; padding: .5rem .75rem; border-radius: 18px; white-space: pre-wrap; line-height: 1.3; }
  .page { background: #e4e6eb; align-self: flex-start; }
  .user { background: #0084ff; color: #fff; align-self: flex-end; }
  .meta { font-size: .7rem; color: #65676b; align-self: center; }
  .replies { display: flex; gap: .4rem; flex-wrap: wrap; align-self: flex-start; }
  .compose { display: flex; gap: .4rem; padding: .6rem; border-top: 1px solid #e4e6eb; }
  .compose input { flex: 1; }
  .empty { color: #65676b; }
  .chat.whatsapp h2 { background: #075e54; color: #fff; border-radius: 10px 10px 0 0; }
  .whatsapp .user { background: #dcf8c6; color: #050505; }
  .whatsapp button { border-color: #128c7e; color: #128c7e; }
  .whatsapp button.primary { background: #128c7e; color: #fff; }
</style>
</head>
<body>
<header>
  <h1>Messenger and WhatsApp emulator</h1>
  <form id="open-link">
    <input name="psid" placeholder="user (PSID)" value="psid_jane" required aria-label="user">
    <input name="link" placeholder="https://m.me/...?ref=..." required aria-label="enrollment link">
    <button class="primary" type="submit">Open link as user</button>
  </form>
  <form id="open-whatsapp-link">
    <input name="waId" placeholder="WhatsApp number" value="33612345678" required aria-label="WhatsApp number">
    <input name="link" placeholder="https://wa.me/...?text=..." required aria-label="wa.me link">
    <button class="primary" type="submit">Send the wa.me text as user</button>
  </form>
</header>
<main id="chats"><p class="empty">No conversation yet. Open an enrollment link as a user to start one.</p></main>
<script>
const chats = document.getElementById('chats');
let shown = '';

async function post(path, body) {
  await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await refresh();
}

document.getElementById('open-link').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const ref = new URL(String(form.get('link'))).searchParams.get('ref');
  await post('/__emulator/users/' + encodeURIComponent(form.get('psid')) + '/referral', { ref });
});

document.getElementById('open-whatsapp-link').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const text = new URL(String(form.get('link'))).searchParams.get('text');
  await post('/__emulator/whatsapp/users/' + encodeURIComponent(form.get('waId')) + '/messages', { text });
});

/** Where a conversation's messages and answers go: Messenger's user, or WhatsApp's. */
function channelOf(key) {
  if (key.startsWith('whatsapp:')) {
    const waId = key.slice('whatsapp:'.length);
    const path = '/__emulator/whatsapp/users/' + encodeURIComponent(waId) + '/messages';
    return { name: 'whatsapp', title: 'WhatsApp · ' + waId, id: waId,
      text: (text) => post(path, { text }), tap: (reply) => post(path, { buttonReplyId: reply.payload }) };
  }
  const path = '/__emulator/users/' + encodeURIComponent(key) + '/messages';
  return { name: 'messenger', title: key, id: key,
    text: (text) => post(path, { text }), tap: (reply) => post(path, { text: reply.title, quickReplyPayload: reply.payload }) };
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function render(conversations) {
  chats.replaceChildren();
  const users = Object.keys(conversations);
  if (users.length === 0) chats.append(element('p', 'empty', 'No conversation yet. Open an enrollment link as a user to start one.'));
  for (const psid of users) {
    const channel = channelOf(psid);
    const chat = element('section', 'chat ' + channel.name);
    chat.dataset.channel = channel.name;
    if (channel.name === 'whatsapp') chat.dataset.waId = channel.id;
    else chat.dataset.psid = psid;
    chat.append(element('h2', '', channel.title));
    const list = element('div', 'messages');
    const entries = conversations[psid];
    entries.forEach((entry, index) => {
      list.append(element('div', 'bubble ' + entry.from, entry.text));
      if (entry.from === 'page' && entry.quickReplies && index === entries.length - 1) {
        const replies = element('div', 'replies');
        for (const reply of entry.quickReplies) {
          const button = element('button', '', reply.title);
          button.addEventListener('click', () => channel.tap(reply));
          replies.append(button);
        }
        list.append(replies);
      }
    });
    chat.append(list);
    const compose = element('form', 'compose');
    const input = element('input');
    input.name = 'text';
    input.placeholder = 'Write STOP, START, HELP…';
    input.setAttribute('aria-label', 'message to the page');
    compose.append(input, element('button', 'primary', 'Send'));
    compose.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (input.value.trim() !== '') await channel.text(input.value);
    });
    chat.append(compose);
    chats.append(chat);
    list.scrollTop = list.scrollHeight;
  }
}

async function refresh() {
  const conversations = await (await fetch('/__emulator/conversations')).json();
  const next = JSON.stringify(conversations);
  if (next !== shown && !document.activeElement?.closest?.('.compose')) {
    shown = next;
    render(conversations);
  }
}

refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;

// Renderer entry: mounts the shell. The shell picks the page; pages live in features/<name>/.
// In the browser host the page first takes its access token from the URL (lib/host-token.ts);
// without one it says how to get one instead of showing an app that cannot reach its API.
import { mount } from 'svelte';
import App from './shell/App.svelte';
import { takeHostToken } from './lib/host-token';
import './shell/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element.');
if (window.edgequant || takeHostToken() !== null) mount(App, { target });
else {
  const note = document.createElement('p');
  note.setAttribute('role', 'alert');
  note.textContent = 'This page has no access token: open the URL that `npm start` printed.';
  target.append(note);
}

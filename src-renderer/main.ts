// Renderer entry: mounts the shell. The shell picks the page; pages live in features/<name>/.
import { mount } from 'svelte';
import App from './shell/App.svelte';
import './shell/theme.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks the #app element.');
mount(App, { target });

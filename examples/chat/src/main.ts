import { mount } from 'svelte';
import App from './App.svelte';
import { createChat } from './lib/store.js';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');

mount(App, { target, props: createChat() });

import './style.css';
import { listenForReload } from './live-reload.js';
import { pollRuntime } from './poll-runtime.js';
import { renderRuntime } from './runtime-view.js';
import { TITLE } from './title.js';

const heading = document.getElementById('title');
if (heading) heading.textContent = TITLE;
document.title = TITLE;
listenForReload();
pollRuntime((snapshot) => renderRuntime(snapshot));

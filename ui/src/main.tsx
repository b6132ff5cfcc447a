// The web application's entry point: mounts the app into the page hometel serves.
import { render } from 'preact';

function App() {
  return <main>hometel</main>;
}

render(<App />, document.getElementById('app')!);

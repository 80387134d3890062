// Runs a state machine's events one at a time, in order: an event raised while another is being
// handled (a viewer ended by an effect, a child that exits at once) runs after it, never inside it.

export function createDispatcher<E>(apply: (event: E) => void): (event: E) => void {
  const queue: E[] = [];
  let dispatching = false;
  return (event) => {
    queue.push(event);
    if (dispatching) return;
    dispatching = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) apply(next);
    } finally {
      dispatching = false;
    }
  };
}

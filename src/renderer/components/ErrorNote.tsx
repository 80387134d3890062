// An error shown where it happened, read out by screen readers as it appears.

export function ErrorNote({ message, id }: { message?: string; id?: string }) {
  if (!message) return null;
  return (
    <p className="error-note" role="alert" id={id}>
      {message}
    </p>
  );
}

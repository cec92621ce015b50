/** Labelled inputs shared by the account forms, with their hints tied to them for screen readers. */
import { useId, type InputHTMLAttributes } from 'react';

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'onChange'> {
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
}

export function TextField({ label, hint, value, onChange, type = 'text', ...rest }: FieldProps) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type={type} value={value} onChange={(e) => onChange(e.target.value)} aria-describedby={hint ? `${id}-hint` : undefined} {...rest} />
      {hint && (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      )}
    </div>
  );
}

export function UsernameField(props: Omit<FieldProps, 'label'> & { label?: string }) {
  return <TextField label="Username" autoComplete="username" autoCapitalize="none" spellCheck={false} {...props} />;
}

export function PasswordField(props: Omit<FieldProps, 'type'>) {
  return <TextField type="password" {...props} />;
}

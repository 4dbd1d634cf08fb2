/** Inputs of the status operator's forms, each labelled and wired to its error message. */
import type { ReactNode } from "react";
import { COMPONENTS, IMPACT_LABELS, IMPACTS, type ComponentId, type Impact } from "~/status-page/model";

const control = "mt-1 w-full rounded-md border border-slate-300 px-3 py-2 text-slate-900 shadow-sm";

function ErrorText({ id, error }: { id: string; error?: string }) {
  return error ? (
    <p id={id} className="mt-1 text-sm text-rose-700">
      {error}
    </p>
  ) : null;
}

export function TextArea(props: {
  label: string;
  name: string;
  error?: string;
  defaultValue?: string;
  rows?: number;
  hint?: ReactNode;
  required?: boolean;
  idPrefix?: string;
}) {
  const id = `${props.idPrefix ?? "f"}-${props.name}`;
  const described =
    [props.error ? `${id}-error` : null, props.hint ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {props.label}
      </label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        defaultValue={props.defaultValue}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={described}
        className={`${control} font-mono text-sm`}
      />
      {props.hint ? (
        <p id={`${id}-hint`} className="mt-1 text-sm text-slate-600">
          {props.hint}
        </p>
      ) : null}
      <ErrorText id={`${id}-error`} error={props.error} />
    </div>
  );
}

export function Select(props: {
  label: string;
  name: string;
  options: ReadonlyArray<{ value: string; label: string }>;
  defaultValue?: string;
  error?: string;
  idPrefix?: string;
}) {
  const id = `${props.idPrefix ?? "f"}-${props.name}`;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {props.label}
      </label>
      <select
        id={id}
        name={props.name}
        defaultValue={props.defaultValue}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${id}-error` : undefined}
        className={control}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <ErrorText id={`${id}-error`} error={props.error} />
    </div>
  );
}

export const IMPACT_OPTIONS = IMPACTS.map((impact) => ({ value: impact, label: IMPACT_LABELS[impact] }));

export function ImpactSelect({
  defaultValue,
  error,
  idPrefix,
}: {
  defaultValue?: Impact;
  error?: string;
  idPrefix?: string;
}) {
  return (
    <Select
      label="Impact"
      name="impact"
      options={IMPACT_OPTIONS}
      defaultValue={defaultValue ?? "degraded"}
      error={error}
      idPrefix={idPrefix}
    />
  );
}

export function ComponentCheckboxes({
  checked = [],
  error,
  idPrefix = "f",
}: {
  checked?: ComponentId[];
  error?: string;
  idPrefix?: string;
}) {
  return (
    <fieldset aria-describedby={error ? `${idPrefix}-components-error` : undefined}>
      <legend className="text-sm font-medium text-slate-700">Affected components</legend>
      <div className="mt-2 flex flex-wrap gap-x-5 gap-y-2">
        {COMPONENTS.map((component) => (
          <label key={component.id} className="inline-flex items-center gap-2 text-sm text-slate-800">
            <input
              type="checkbox"
              name="components"
              value={component.id}
              defaultChecked={checked.includes(component.id)}
              className="h-4 w-4 rounded border-slate-300"
            />
            {component.name}
          </label>
        ))}
      </div>
      <ErrorText id={`${idPrefix}-components-error`} error={error} />
    </fieldset>
  );
}

// Placeholder until this panel lands; see app.js for what mount(ctx) receives.
export function mount(ctx) {
}

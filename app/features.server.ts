// Every feature that subscribes to store events, registers tasks or exporters is
// imported here once, so the web server and the worker see the same wiring.
import "./compliance/compliance.server";
import "./store/register.server";
import "./email/register.server";
import "./recommendations/register.server";
import "./flows/register.server";

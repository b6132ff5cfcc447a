/*
 * light-device.c - GUPnP 1.6 BinaryLight:1 test peer for hometel.
 *
 * Hosts a urn:schemas-upnp-org:device:BinaryLight:1 root device with one
 * urn:schemas-upnp-org:service:SwitchPower:1 service, on the loopback
 * interface only.
 *
 *   light-device --udn uuid:XXXX [--port N] [--name NAME] --description-dir DIR
 *
 * DIR must contain BinaryLight1.xml (template with @UDN@ and @FRIENDLY_NAME@)
 * and SwitchPower1.xml. Both are copied (the first one with substitutions) into
 * a private temporary directory which GUPnP then serves, because GUPnP serves the
 * description document straight from the file on disk.
 *
 * Prints exactly one line "READY <description-URL>" on stdout once the device is
 * announced. SIGTERM / SIGINT: the root device is disposed while still available,
 * which makes GSSDP send ssdp:byebye for every resource synchronously, then exits 0.
 *
 * Build: gcc -o light-device light-device.c $(pkg-config --cflags --libs gupnp-1.6)
 */

#include <libgupnp/gupnp.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_TEMPLATE "BinaryLight1.xml"
#define SCPD_FILE "SwitchPower1.xml"
#define SWITCH_POWER "urn:schemas-upnp-org:service:SwitchPower:1"

static gboolean target = FALSE;
static gboolean status = FALSE;
static GMainLoop *main_loop = NULL;
static int exit_code = 0;

/* ---------------------------------------------------------------- actions */

static gboolean
parse_upnp_boolean (const char *text, gboolean *out)
{
        char *s;
        gboolean ok = TRUE;

        if (text == NULL)
                return FALSE;

        s = g_strstrip (g_ascii_strdown (text, -1));
        if (g_str_equal (s, "1") || g_str_equal (s, "true") ||
            g_str_equal (s, "yes"))
                *out = TRUE;
        else if (g_str_equal (s, "0") || g_str_equal (s, "false") ||
                 g_str_equal (s, "no"))
                *out = FALSE;
        else
                ok = FALSE;
        g_free (s);

        return ok;
}

static void
on_set_target (GUPnPService *service,
               GUPnPServiceAction *action,
               G_GNUC_UNUSED gpointer user_data)
{
        GValue *arg;
        gboolean value = FALSE;
        gboolean valid;

        /* GUPnP does not check arguments against the SCPD; do it here. A
         * missing newTargetValue element leaves the string NULL (GUPnP logs a
         * warning on stderr in that case). */
        if (gupnp_service_action_get_argument_count (action) != 1) {
                gupnp_service_action_return_error (action, 402, "Invalid Args");
                return;
        }

        arg = gupnp_service_action_get_gvalue (action,
                                               "newTargetValue",
                                               G_TYPE_STRING);
        if (g_value_get_string (arg) == NULL) {
                g_value_unset (arg);
                g_slice_free (GValue, arg);
                gupnp_service_action_return_error (action, 402, "Invalid Args");
                return;
        }
        valid = parse_upnp_boolean (g_value_get_string (arg), &value);
        g_value_unset (arg);
        g_slice_free (GValue, arg);

        if (!valid) {
                gupnp_service_action_return_error (action,
                                                   600,
                                                   "Argument Value Invalid");
                return;
        }

        target = value;
        status = value;

        gupnp_service_action_return_success (action);

        /* Status is evented; Target is not. */
        gupnp_service_notify (service, "Status", G_TYPE_BOOLEAN, status, NULL);
}

static void
on_get_target (G_GNUC_UNUSED GUPnPService *service,
               GUPnPServiceAction *action,
               G_GNUC_UNUSED gpointer user_data)
{
        gupnp_service_action_set (action,
                                  "RetTargetValue", G_TYPE_BOOLEAN, target,
                                  NULL);
        gupnp_service_action_return_success (action);
}

/* Benchmark path: no allocation beyond what GUPnP needs, no logging. */
static void
on_get_status (G_GNUC_UNUSED GUPnPService *service,
               GUPnPServiceAction *action,
               G_GNUC_UNUSED gpointer user_data)
{
        gupnp_service_action_set (action,
                                  "ResultStatus", G_TYPE_BOOLEAN, status,
                                  NULL);
        gupnp_service_action_return_success (action);
}

/* Used by GUPnP for the initial event of every new subscription (for each
 * evented state variable) and for QueryStateVariable. */
static void
on_query_status (G_GNUC_UNUSED GUPnPService *service,
                 G_GNUC_UNUSED const char *variable,
                 GValue *value,
                 G_GNUC_UNUSED gpointer user_data)
{
        g_value_init (value, G_TYPE_BOOLEAN);
        g_value_set_boolean (value, status);
}

static void
on_query_target (G_GNUC_UNUSED GUPnPService *service,
                 G_GNUC_UNUSED const char *variable,
                 GValue *value,
                 G_GNUC_UNUSED gpointer user_data)
{
        g_value_init (value, G_TYPE_BOOLEAN);
        g_value_set_boolean (value, target);
}

static void
on_notify_failed (G_GNUC_UNUSED GUPnPService *service,
                  G_GNUC_UNUSED GList *callback_urls,
                  const GError *reason,
                  G_GNUC_UNUSED gpointer user_data)
{
        g_printerr ("light-device: NOTIFY failed: %s\n",
                    reason != NULL ? reason->message : "(unknown)");
}

/* ---------------------------------------------------------------- setup */

static gboolean
on_quit_signal (G_GNUC_UNUSED gpointer user_data)
{
        g_main_loop_quit (main_loop);
        return G_SOURCE_REMOVE;
}

static char *
replace_all (const char *haystack, const char *needle, const char *replacement)
{
        char **parts = g_strsplit (haystack, needle, -1);
        char *result = g_strjoinv (replacement, parts);

        g_strfreev (parts);
        return result;
}

static gboolean
prepare_description_dir (const char *template_dir,
                         const char *udn,
                         const char *name,
                         char **out_dir,
                         GError **error)
{
        char *template_path = g_build_filename (template_dir, DEVICE_TEMPLATE, NULL);
        char *scpd_path = g_build_filename (template_dir, SCPD_FILE, NULL);
        char *template = NULL, *scpd = NULL, *escaped_udn = NULL,
             *escaped_name = NULL, *step = NULL, *description = NULL,
             *dir = NULL, *out_path = NULL;
        gsize scpd_len = 0;
        gboolean ok = FALSE;

        if (!g_file_get_contents (template_path, &template, NULL, error))
                goto out;
        if (!g_file_get_contents (scpd_path, &scpd, &scpd_len, error))
                goto out;

        escaped_udn = g_markup_escape_text (udn, -1);
        escaped_name = g_markup_escape_text (name, -1);
        step = replace_all (template, "@UDN@", escaped_udn);
        description = replace_all (step, "@FRIENDLY_NAME@", escaped_name);

        dir = g_dir_make_tmp ("hometel-gupnp-light-XXXXXX", error);
        if (dir == NULL)
                goto out;

        out_path = g_build_filename (dir, DEVICE_TEMPLATE, NULL);
        if (!g_file_set_contents (out_path, description, -1, error))
                goto out;
        g_free (out_path);

        out_path = g_build_filename (dir, SCPD_FILE, NULL);
        if (!g_file_set_contents (out_path, scpd, (gssize) scpd_len, error))
                goto out;

        *out_dir = g_steal_pointer (&dir);
        ok = TRUE;

out:
        if (dir != NULL) {
                char *p = g_build_filename (dir, DEVICE_TEMPLATE, NULL);
                g_unlink (p);
                g_free (p);
                g_rmdir (dir);
        }
        g_free (template_path);
        g_free (scpd_path);
        g_free (template);
        g_free (scpd);
        g_free (escaped_udn);
        g_free (escaped_name);
        g_free (step);
        g_free (description);
        g_free (dir);
        g_free (out_path);

        return ok;
}

static void
remove_description_dir (const char *dir)
{
        const char *files[] = { DEVICE_TEMPLATE, SCPD_FILE };

        for (guint i = 0; i < G_N_ELEMENTS (files); i++) {
                char *p = g_build_filename (dir, files[i], NULL);
                g_unlink (p);
                g_free (p);
        }
        g_rmdir (dir);
}

int
main (int argc, char **argv)
{
        char *udn = NULL;
        char *name = NULL;
        char *description_dir = NULL;
        int port = 0;
        GOptionEntry entries[] = {
                { "udn", 0, 0, G_OPTION_ARG_STRING, &udn,
                  "Device UDN (uuid:...)", "UDN" },
                { "port", 0, 0, G_OPTION_ARG_INT, &port,
                  "HTTP port (0 = any)", "N" },
                { "name", 0, 0, G_OPTION_ARG_STRING, &name,
                  "friendlyName", "NAME" },
                { "description-dir", 0, 0, G_OPTION_ARG_FILENAME,
                  &description_dir,
                  "Directory holding BinaryLight1.xml and SwitchPower1.xml",
                  "DIR" },
                { NULL, 0, 0, 0, NULL, NULL, NULL }
        };
        GOptionContext *options;
        GError *error = NULL;
        GInetAddress *loopback = NULL;
        GUPnPContext *context = NULL;
        GUPnPRootDevice *device = NULL;
        GUPnPServiceInfo *service = NULL;
        char *served_dir = NULL;
        char *desc_path = NULL;

        options = g_option_context_new ("- GUPnP BinaryLight:1 test peer");
        g_option_context_add_main_entries (options, entries, NULL);
        if (!g_option_context_parse (options, &argc, &argv, &error)) {
                g_printerr ("light-device: %s\n", error->message);
                g_option_context_free (options);
                return 2;
        }
        g_option_context_free (options);

        if (udn == NULL || !g_str_has_prefix (udn, "uuid:") ||
            description_dir == NULL || port < 0 || port > 65535) {
                g_printerr ("usage: light-device --udn uuid:XXXX [--port N] "
                            "[--name NAME] --description-dir DIR\n");
                return 2;
        }
        if (name == NULL)
                name = g_strdup ("hometel GUPnP light");

        if (!prepare_description_dir (description_dir, udn, name,
                                      &served_dir, &error)) {
                g_printerr ("light-device: cannot prepare description: %s\n",
                            error->message);
                return 1;
        }
        desc_path = g_build_filename (served_dir, DEVICE_TEMPLATE, NULL);

        /* Loopback only: GSSDP pins SSDP to the context's interface. */
        loopback = g_inet_address_new_from_string ("127.0.0.1");
        context = gupnp_context_new_full ("lo",
                                          loopback,
                                          (guint16) port,
                                          GSSDP_UDA_VERSION_1_0,
                                          &error);
        g_object_unref (loopback);
        if (context == NULL) {
                g_printerr ("light-device: cannot create GUPnP context on lo: %s\n",
                            error->message);
                exit_code = 1;
                goto cleanup;
        }

        device = gupnp_root_device_new (context, desc_path, served_dir, &error);
        if (device == NULL) {
                g_printerr ("light-device: cannot create root device: %s\n",
                            error->message);
                exit_code = 1;
                goto cleanup;
        }

        service = gupnp_device_info_get_service (GUPNP_DEVICE_INFO (device),
                                                 SWITCH_POWER);
        if (service == NULL) {
                g_printerr ("light-device: no %s in description\n", SWITCH_POWER);
                exit_code = 1;
                goto cleanup;
        }

        /* Detailed handlers: unknown actions get GUPnP's own 401 Invalid Action. */
        g_signal_connect (service, "action-invoked::SetTarget",
                          G_CALLBACK (on_set_target), NULL);
        g_signal_connect (service, "action-invoked::GetTarget",
                          G_CALLBACK (on_get_target), NULL);
        g_signal_connect (service, "action-invoked::GetStatus",
                          G_CALLBACK (on_get_status), NULL);
        g_signal_connect (service, "query-variable::Status",
                          G_CALLBACK (on_query_status), NULL);
        g_signal_connect (service, "query-variable::Target",
                          G_CALLBACK (on_query_target), NULL);
        g_signal_connect (service, "notify-failed",
                          G_CALLBACK (on_notify_failed), NULL);

        main_loop = g_main_loop_new (NULL, FALSE);
        g_unix_signal_add (SIGTERM, on_quit_signal, NULL);
        g_unix_signal_add (SIGINT, on_quit_signal, NULL);

        gupnp_root_device_set_available (device, TRUE);

        fprintf (stdout, "READY %s\n",
                 gupnp_device_info_get_location (GUPNP_DEVICE_INFO (device)));
        fflush (stdout);

        g_main_loop_run (main_loop);

        /* Shutdown: drop the service first so the root device holds the last
         * reference to its GSSDPResourceGroup. Disposing the group while it is
         * still available sends ssdp:byebye for all resources synchronously
         * (gssdp_resource_group_dispose flushes its queue only while available;
         * set_available(FALSE) followed by an immediate unref would drop all but
         * the first byebye). */
        g_clear_object (&service);
        if (G_OBJECT (device)->ref_count != 1) {
                /* Someone else still holds the device: announce byebye the slow
                 * way and let the 20 ms message queue drain. */
                GMainContext *mc = g_main_context_default ();
                gint64 deadline;

                gupnp_root_device_set_available (device, FALSE);
                deadline = g_get_monotonic_time () + 400 * 1000;
                while (g_get_monotonic_time () < deadline) {
                        if (!g_main_context_iteration (mc, FALSE))
                                g_usleep (5000);
                }
        }

cleanup:
        g_clear_object (&service);
        g_clear_object (&device);
        g_clear_object (&context);
        g_clear_pointer (&main_loop, g_main_loop_unref);
        if (served_dir != NULL)
                remove_description_dir (served_dir);
        g_clear_error (&error);
        g_free (served_dir);
        g_free (desc_path);
        g_free (udn);
        g_free (name);
        g_free (description_dir);

        return exit_code;
}

/* berth — the log sink: the one process-wide state besides its level.
 *
 * Programs write their diagnostics here; berth-runtime points it at --log in
 * text or json form (runc's format: {"level":..,"msg":..,"time":..}).  */
#ifndef BERTH_BASE_LOG_H
#define BERTH_BASE_LOG_H

enum berth_log_level
{
  BERTH_LOG_ERROR = 0,
  BERTH_LOG_WARNING,
  BERTH_LOG_INFO,
  BERTH_LOG_DEBUG,
};

enum berth_log_format
{
  BERTH_LOG_TEXT = 0,
  BERTH_LOG_JSON,
};

/* Send the log to PATH (appended, created 0600), or to stderr when PATH is
   NULL.  Returns < 0 if PATH cannot be opened.  */
int berth_log_open (const char *path, enum berth_log_format format);
void berth_log_set_level (enum berth_log_level level);
enum berth_log_level berth_log_get_level (void);

void berth_log (enum berth_log_level level, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#define log_error(...) berth_log (BERTH_LOG_ERROR, __VA_ARGS__)
#define log_warning(...) berth_log (BERTH_LOG_WARNING, __VA_ARGS__)
#define log_info(...) berth_log (BERTH_LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                                             \
  do                                                                                               \
    {                                                                                              \
      if (berth_log_get_level () >= BERTH_LOG_DEBUG)                                               \
        berth_log (BERTH_LOG_DEBUG, __VA_ARGS__);                                                  \
    }                                                                                              \
  while (0)

#endif

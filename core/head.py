"""HEAD answered as GET without the body, whatever server runs the portal.

Views allow HEAD wherever they allow GET (uptime monitors and nginx's checks use it), and Django renders the
GET response for it. Django's development server and test client drop that body; gunicorn does not, and sends
it (and logs "sent body bytes on a no-body response" on every check). This middleware, outermost, drops it
for every server, keeping the headers, Content-Length included, as the GET would send them.
"""


class HeadWithoutBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method != "HEAD":
            return response
        if response.streaming:
            response.streaming_content = []  # a file is not read; the server's close() still closes it
        else:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response
